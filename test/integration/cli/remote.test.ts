// xvirt through the remote driver, next to virsh, both talking to the same
// daemon (a private real libvirtd, then a private xvirtd): the same lines for
// the same commands, and lifecycle events crossing processes (changes made by
// either tool reach both event loops, printed identically).
import t, { type Test } from 'tap';
import { startLibvirtd } from '../../support/libvirtd';
import { startXvirtd } from '../../support/xvirtd';
import { requireBuild, startXvirt, tail, until, xvirt } from '../../support/cli';
import { runVirsh, startVirsh, virshPath } from '../../support/virsh';

requireBuild(t);

/** A daemon serving test:///default on a unix socket, and how to kill it without warning. */
interface Server {
  uri: string;
  kill(): Promise<unknown>;
}

const SERVERS: Record<string, (t: Test) => Promise<Server>> = {
  libvirtd: async (t) => {
    const lvd = await startLibvirtd(t);
    return { uri: lvd.unixUri(), kill: () => lvd.kill() };
  },
  xvirtd: async (t) => {
    const d = await startXvirtd(t);
    return {
      uri: d.uri('unix'),
      kill: () => d.kill('SIGKILL'),
    };
  },
};

/** Lines both tools know (CPU time moves with the clock; security lines are virsh's alone). */
function comparable(stdout: string): string[] {
  return stdout.split('\n').filter((line) => !/^(CPU time:|Security (model|DOI|label):)/.test(line));
}

for (const [serverName, startServer] of Object.entries(SERVERS)) {
  t.test(`${serverName}: commands over test+unix:// print what virsh prints`, async (t) => {
    virshPath();
    const { uri } = await startServer(t);
    for (const args of [
      ['list', '--all'],
      ['dominfo', 'test'],
      ['dominfo', '1'],
      ['nodeinfo'],
      ['domstate', 'test', '--reason'],
      ['domid', 'test'],
      ['domuuid', 'test'],
      ['uri'],
      ['hostname'],
      ['dominfo', 'nope'],
      ['suspend', 'nope'],
      ['dumpxml', 'test'],
      ['capabilities'],
    ]) {
      const [theirs, ours] = await Promise.all([runVirsh(['-c', uri, ...args]), xvirt(['-c', uri, ...args])]);
      t.equal(ours.code, theirs.code, `${args.join(' ')}: same exit status`);
      t.same(comparable(ours.stdout), comparable(theirs.stdout), `${args.join(' ')}: same lines`);
      t.equal(ours.stderr, theirs.stderr, `${args.join(' ')}: same stderr`);
    }
    const ours = await xvirt(['-c', uri, 'version', '--daemon']);
    const theirs = await runVirsh(['-c', uri, 'version', '--daemon']);
    t.same(ours.stdout.split('\n').slice(3), theirs.stdout.split('\n').slice(3), 'same hypervisor and daemon lines');
    t.match(ours.stdout, /^Compiled against library: xvirt /);
  });

  t.test(
    `${serverName}: lifecycle events cross processes, xvirt and virsh event loops print the same lines`,
    async (t) => {
      virshPath();
      const { uri } = await startServer(t);
      const ours = startXvirt(['-d', '1', '-c', uri, 'event', '--all', '--loop']);
      const theirs = startVirsh(['-c', uri, 'event', '--all', '--loop']);
      t.teardown(() => {
        ours.child.kill('SIGKILL');
        theirs.child.kill('SIGKILL');
      });
      const ourErr = tail(ours.child, 'stderr');
      const ourOut = tail(ours.child, 'stdout'),
        theirOut = tail(theirs.child, 'stdout');
      await until('xvirt to wait for events', () => ourErr().includes('debug: waiting for events'));
      // virsh says nothing once it listens: pause and unpause until it has seen that too.
      for (let i = 0; i < 100 && !theirOut().includes('Resumed Unpaused'); i++) {
        await runVirsh(['-c', uri, 'suspend', 'test']);
        await runVirsh(['-c', uri, 'resume', 'test']);
      }
      await until('virsh to see events', () => theirOut().includes('Resumed Unpaused'));
      // The scripted part, from both tools.
      const steps: string[][] = [
        ['destroy', 'test'],
        ['start', 'test'],
        ['suspend', 'test'],
        ['resume', 'test'],
        ['destroy', 'test'],
      ];
      for (const [i, step] of steps.entries()) {
        const r = await (i % 2 === 0 ? xvirt : runVirsh)(['-c', uri, ...step]);
        t.equal(r.code, 0, `${step.join(' ')} (${r.stderr})`);
      }
      const expected =
        "event 'lifecycle' for domain 'test': Stopped Destroyed\n" +
        "event 'lifecycle' for domain 'test': Started Booted\n" +
        "event 'lifecycle' for domain 'test': Suspended Paused\n" +
        "event 'lifecycle' for domain 'test': Resumed Unpaused\n" +
        "event 'lifecycle' for domain 'test': Stopped Destroyed\n";
      const scripted = (out: string): string =>
        out.slice(out.indexOf("event 'lifecycle' for domain 'test': Stopped Destroyed"));
      await until(
        'both loops to see the scripted events',
        () => scripted(ourOut()).startsWith(expected) && scripted(theirOut()).startsWith(expected),
      );
      ours.child.kill('SIGINT');
      theirs.child.kill('SIGINT');
      const [a, b] = await Promise.all([ours.done, theirs.done]);
      t.same([a.code, b.code], [0, 0], 'both end cleanly on SIGINT');
      const summary = /event loop interrupted\nevents received: \d+\n\n$/;
      t.match(a.stdout, summary);
      t.match(b.stdout, summary);
      t.equal(scripted(a.stdout).replace(summary, ''), expected);
      t.equal(scripted(b.stdout).replace(summary, ''), expected);
      const events = (out: string): number => out.split("event 'lifecycle'").length - 1;
      t.ok(events(a.stdout) >= events(b.stdout), 'xvirt, listening first, saw at least what virsh saw');
      t.match(a.stdout, new RegExp(`events received: ${events(a.stdout)}\n\n$`), 'and counted what it printed');
    },
  );

  t.test(`${serverName}: an event loop whose daemon dies ends with one error line`, async (t) => {
    const server = await startServer(t);
    const ours = startXvirt(['-d', '1', '-c', server.uri, 'event', '--all', '--loop']);
    t.teardown(() => {
      ours.child.kill('SIGKILL');
    });
    const err = tail(ours.child, 'stderr');
    await until('xvirt to wait for events', () => err().includes('debug: waiting for events'));
    await server.kill();
    const r = await ours.done;
    t.equal(r.signal, null);
    t.equal(r.code, 1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    t.same(errors, ['error: event loop ended: the connection closed after 0 events']);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
}
