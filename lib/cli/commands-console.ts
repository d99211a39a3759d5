/**
 * `console NAME [DEVNAME] [--force] [--safe]`: the guest's console on this
 * terminal until Ctrl+] (virsh's escape), or until the guest's side closes.
 * Unlike virsh, stdin need not be a terminal (scripts can pipe into it; the
 * escape byte still ends the session); a terminal is put in raw mode.
 */
import { DomainConsoleFlags } from '../constants';
import { boolOption, stringOption } from './args';
import { domainArgument } from './lookup';
import { DOMAIN_OPTION } from './print';
import type { CommandSpec } from './spec';

/** Ctrl+] */
const ESCAPE = 0x1d;

export const CONSOLE_COMMAND: CommandSpec = {
  name: 'console',
  group: 'domain',
  summary: 'connect to the guest console',
  description: "Connect the terminal to the guest's console; Ctrl+] leaves it.",
  options: [
    DOMAIN_OPTION,
    { name: 'devname', type: 'string', positional: true, help: 'character device name' },
    { name: 'force', type: 'bool', help: 'force console connection (disconnect already connected sessions)' },
    { name: 'safe', type: 'bool', help: 'only connect if safe console handling is supported' },
  ],
  handlesInterrupt: true,
  async run(ctx) {
    const dom = await domainArgument(ctx);
    const flags =
      (boolOption(ctx.options, 'force') ? DomainConsoleFlags.FORCE : 0) |
      (boolOption(ctx.options, 'safe') ? DomainConsoleFlags.SAFE : 0);
    ctx.output.out(`Connected to domain '${dom.name}'\nEscape character is ^] (Ctrl + ])\n`);
    // virsh reports the failure as it is, after the two lines above.
    const stream = await dom.openConsole(stringOption(ctx.options, 'devname') ?? null, flags);
    const stdin = process.stdin;
    const raw = stdin.isTTY === true;
    if (raw) stdin.setRawMode(true);
    await new Promise<void>((resolve) => {
      const finish = () => {
        stdin.off('data', onInput);
        if (raw) stdin.setRawMode(false);
        stdin.destroy(); // the session is over; a paused stdin pipe would keep the process alive
        stream.destroy();
        resolve();
      };
      const onInput = (chunk: Buffer) => {
        const at = chunk.indexOf(ESCAPE);
        if (at >= 0) {
          if (at > 0) stream.write(chunk.subarray(0, at));
          finish();
        } else {
          stream.write(chunk);
        }
      };
      stream.on('data', (d: Buffer) => process.stdout.write(d));
      stream.once('close', finish);
      stream.once('end', finish);
      stream.once('error', finish);
      ctx.interrupted.addEventListener('abort', finish, { once: true });
      stdin.on('data', onInput);
      stdin.once('end', finish);
      stdin.resume();
    });
    ctx.output.out('\n');
    return 0;
  },
};
