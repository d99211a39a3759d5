// The lazy command table: each module entry names exactly the commands its
// module defines (so `findCommand` loads the right one), every command name
// is unique, and a lookup loads only the module of the command asked for.
import t from 'tap';
import { allCommands, COMMAND_MODULES, findCommand } from '../../../lib/cli/commands';

t.test('each entry names what its module defines, in order', async (t) => {
  for (const m of COMMAND_MODULES) {
    t.same(
      (await m.load()).map((c) => c.name),
      m.names,
      `module of ${m.names[0]}`,
    );
  }
});

t.test('names are unique and help lists them all, in table order, then help', async (t) => {
  const names = COMMAND_MODULES.flatMap((m) => m.names);
  t.equal(new Set(names).size, names.length, 'no name twice');
  t.same(
    (await allCommands()).map((c) => c.name),
    [...names, 'help'],
  );
});

t.test('findCommand gives the same spec as the full table, with --json added', async (t) => {
  for (const command of await allCommands()) {
    const found = await findCommand(command.name);
    t.equal(found?.name, command.name);
    t.same(
      found?.options.map((o) => o.name),
      command.options.map((o) => o.name),
      `options of ${command.name}`,
    );
    if (command.name !== 'help') t.equal(found?.options.at(-1)?.name, 'json', `${command.name} takes --json`);
  }
  t.equal(await findCommand('no-such-command'), undefined);
});

t.test('a lookup loads only the module of its command', async (t) => {
  const cliDir = require.resolve('../../../lib/cli/commands').replace(/commands\.[jt]s$/, '');
  const loaded = () => Object.keys(require.cache).filter((f) => f.startsWith(`${cliDir}commands-`));
  for (const f of loaded()) delete require.cache[f];
  await findCommand('dominfo');
  t.same(
    loaded().map((f) => f.slice(cliDir.length).replace(/\.[jt]s$/, '')),
    ['commands-query'],
  );
});
