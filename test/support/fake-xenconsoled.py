# A stand-in for xenconsoled: owns the master side of a pty whose slave path it
# prints (as xenconsoled publishes it in xenstore), with the slave in raw mode
# as xenconsoled leaves it. What the test writes to our stdin is the guest
# printing; what a console client types comes out on our stdout.
import os
import select
import sys
import tty

master, slave = os.openpty()
tty.setraw(slave)  # the slave stays open here, so the master never sees EIO between clients
sys.stdout.write(os.ttyname(slave) + "\n")
sys.stdout.flush()
out = sys.stdout.buffer
while True:
    ready, _, _ = select.select([0, master], [], [])
    if 0 in ready:
        data = os.read(0, 4096)
        if not data:
            break
        os.write(master, data)
    if master in ready:
        out.write(os.read(master, 4096))
        out.flush()
