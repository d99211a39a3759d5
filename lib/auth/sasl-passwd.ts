/**
 * xvirt-sasl-passwd: manages xvirtd's SASL user database (sasl_user_db).
 *
 *   xvirt-sasl-passwd [-f FILE] [-i ITERATIONS] set USER   (password on stdin, one line)
 *   xvirt-sasl-passwd [-f FILE] delete USER
 *   xvirt-sasl-passwd [-f FILE] list
 *
 * Only salted, iterated SCRAM-SHA-256 keys are written, atomically, mode 0600.
 */
import { DEFAULT_ITERATIONS, checkUserName, loadOrCreate, saveUserDatabase, setUserPassword } from './userdb';
import { defaultSecurityConfig } from './daemon-config';

const USAGE = `usage: xvirt-sasl-passwd [-f FILE] [-i ITERATIONS] set USER   (reads the password from stdin)
       xvirt-sasl-passwd [-f FILE] delete USER
       xvirt-sasl-passwd [-f FILE] list
FILE defaults to ${defaultSecurityConfig().saslUserDb} (xvirtd's sasl_user_db).`;

async function readPassword(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
    if (text.length > 4096) throw new Error('password longer than 4096 characters');
  }
  return text.replace(/\r?\n$/, '');
}

export async function main(
  argv: readonly string[],
  io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let file = defaultSecurityConfig().saslUserDb;
  let iterations = DEFAULT_ITERATIONS;
  const rest: string[] = [];
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '-f' || a === '--file') file = argv[++i] ?? '';
      else if (a === '-i' || a === '--iterations') iterations = Number(argv[++i]);
      else if (a === '-h' || a === '--help') {
        io.stdout.write(`${USAGE}\n`);
        return 0;
      } else if (a.startsWith('-')) throw new Error(`unknown option '${a}'`);
      else rest.push(a);
    }
    if (!file) throw new Error('-f needs a file name');
    if (!Number.isInteger(iterations)) throw new Error('-i needs an integer');
    const [command, user, extra] = rest;
    if (extra !== undefined) throw new Error(`unexpected argument '${extra}'`);
    const db = loadOrCreate(file);
    if (command === 'list' && user === undefined) {
      for (const [name, c] of db) io.stdout.write(`${name} (SCRAM-SHA-256, ${c.iterations} iterations)\n`);
    } else if (command === 'set' && user !== undefined) {
      await setUserPassword(db, checkUserName(user), await readPassword(io.stdin), iterations);
      await saveUserDatabase(file, db);
    } else if (command === 'delete' && user !== undefined) {
      if (!db.delete(user)) throw new Error(`no user '${user}' in ${file}`);
      await saveUserDatabase(file, db);
    } else {
      throw new Error(command ? `bad command line for '${command}'` : 'missing command');
    }
    return 0;
  } catch (err) {
    io.stderr.write(`xvirt-sasl-passwd: ${(err as Error).message}\n${USAGE}\n`);
    return 1;
  }
}
