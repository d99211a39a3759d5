/**
 * A throwaway x509 PKI for TLS tests, made with the real `openssl` binary:
 * a CA, a server certificate for localhost/127.0.0.1/::1, client certificates
 * with chosen subject DNs, a second unrelated CA, and expired certificates.
 *
 * Files are laid out the way libvirt looks for them, so a directory can be
 * handed to virsh/xvirt as `?pkipath=DIR` or to libvirtd as key/cert/ca_file:
 *   clients/<name>/{cacert.pem,clientcert.pem,clientkey.pem}
 *   server/{cacert.pem,servercert.pem,serverkey.pem}
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface IssuedCert {
  cert: string;
  key: string;
  /** The subject as libvirt and xvirt print it: RDNs in certificate order, comma-joined. */
  dn: string;
}

export interface ClientCert extends IssuedCert {
  /** A libvirt pkipath directory holding this client's cacert/clientcert/clientkey. */
  pkipath: string;
}

interface Authority {
  dir: string;
  cert: string;
  key: string;
}

export interface ClientOptions {
  /** Sign with the second, untrusted CA instead of the server's CA. */
  otherCa?: boolean;
  /** Issue a certificate whose validity ended in 2021. */
  expired?: boolean;
}

/** '/C=GB/O=Example/CN=x' → 'C=GB,O=Example,CN=x' (no escaping needed for test subjects). */
function subjectToDn(subject: string): string {
  return subject.split('/').filter(Boolean).join(',');
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl not found: run scripts/install-test-deps as root');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

const EXTENSIONS = `
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
`;

function caConfig(dir: string): string {
  return `[ca]
default_ca = test_ca
[test_ca]
dir = ${dir}
database = ${dir}/index.txt
crlnumber = ${dir}/crlnumber
new_certs_dir = ${dir}
serial = ${dir}/serial
default_md = sha256
policy = any_policy
unique_subject = no
copy_extensions = none
[any_policy]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
${EXTENSIONS}`;
}

export class TestPki {
  readonly dir: string;
  readonly ca: Authority;
  readonly otherCa: Authority;
  readonly server: IssuedCert & { dir: string };
  readonly #clients = new Map<string, ClientCert>();

  private constructor(dir: string, ca: Authority, otherCa: Authority, server: IssuedCert & { dir: string }) {
    this.dir = dir;
    this.ca = ca;
    this.otherCa = otherCa;
    this.server = server;
  }

  /** Creates the CAs and the server certificate in a fresh temporary directory. */
  static async create(): Promise<TestPki> {
    const dir = await mkdtemp(join(tmpdir(), 'xvirt-pki-'));
    try {
      const ca = await makeAuthority(dir, 'ca', '/C=GB/O=xvirt test/CN=xvirt test CA');
      const otherCa = await makeAuthority(dir, 'other-ca', '/C=US/O=Somebody Else/CN=Unrelated CA');
      const serverDir = join(dir, 'server');
      await mkdir(serverDir);
      const subject = '/C=GB/O=xvirt test/CN=localhost';
      const issued = await issue(ca, serverDir, 'server', subject, 'server_ext', false);
      await copyFile(ca.cert, join(serverDir, 'cacert.pem'));
      return new TestPki(dir, ca, otherCa, { ...issued, dir: serverDir });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Issues a client certificate for `subject` ('/C=GB/O=Org/CN=name') into
   * its own pkipath directory clients/<name>/ (cacert.pem is always the server's CA).
   */
  async client(name: string, subject: string, options: ClientOptions = {}): Promise<ClientCert> {
    const existing = this.#clients.get(name);
    if (existing) return existing;
    const pkipath = join(this.dir, 'clients', name);
    await mkdir(pkipath, { recursive: true });
    const authority = options.otherCa ? this.otherCa : this.ca;
    const issued = await issue(authority, pkipath, 'client', subject, 'client_ext', options.expired === true);
    await copyFile(this.ca.cert, join(pkipath, 'cacert.pem'));
    const client = { ...issued, pkipath };
    this.#clients.set(name, client);
    return client;
  }

  /** Revokes an issued certificate and writes the CA's CRL; returns its path (libvirt's cacrl.pem). */
  async revoke(cert: IssuedCert): Promise<string> {
    const crl = join(this.ca.dir, 'cacrl.pem');
    await openssl(
      [
        'ca',
        '-config',
        join(this.ca.dir, 'openssl.cnf'),
        '-cert',
        this.ca.cert,
        '-keyfile',
        this.ca.key,
        '-revoke',
        cert.cert,
      ],
      this.ca.dir,
    );
    await openssl(
      [
        'ca',
        '-gencrl',
        '-config',
        join(this.ca.dir, 'openssl.cnf'),
        '-cert',
        this.ca.cert,
        '-keyfile',
        this.ca.key,
        '-crldays',
        '30',
        '-out',
        crl,
      ],
      this.ca.dir,
    );
    return crl;
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function makeAuthority(root: string, name: string, subject: string): Promise<Authority> {
  const dir = join(root, name);
  await mkdir(dir);
  await writeFile(join(dir, 'index.txt'), '');
  await writeFile(join(dir, 'serial'), '1000\n');
  await writeFile(join(dir, 'crlnumber'), '1000\n');
  await writeFile(join(dir, 'openssl.cnf'), caConfig(dir));
  const key = join(dir, 'cakey.pem');
  const cert = join(dir, 'cacert.pem');
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  await openssl(
    [
      'req',
      '-new',
      '-x509',
      '-key',
      key,
      '-out',
      cert,
      '-days',
      '3650',
      '-subj',
      subject,
      '-config',
      join(dir, 'openssl.cnf'),
      '-extensions',
      'ca_ext',
    ],
    dir,
  );
  return { dir, cert, key };
}

/** Signs a fresh P-256 key for `subject`; files <kind>cert.pem / <kind>key.pem in `outDir`. */
async function issue(
  ca: Authority,
  outDir: string,
  kind: 'server' | 'client',
  subject: string,
  extensions: string,
  expired: boolean,
): Promise<IssuedCert> {
  const key = join(outDir, `${kind}key.pem`);
  const cert = join(outDir, `${kind}cert.pem`);
  const csr = join(outDir, `${kind}.csr`);
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], outDir);
  await openssl(['req', '-new', '-key', key, '-out', csr, '-subj', subject], outDir);
  const validity = expired ? ['-startdate', '20200101000000Z', '-enddate', '20210101000000Z'] : ['-days', '365'];
  await openssl(
    [
      'ca',
      '-batch',
      '-notext',
      '-config',
      join(ca.dir, 'openssl.cnf'),
      '-cert',
      ca.cert,
      '-keyfile',
      ca.key,
      '-in',
      csr,
      '-out',
      cert,
      '-extensions',
      extensions,
      ...validity,
    ],
    ca.dir,
  );
  await rm(csr);
  return { cert, key, dn: subjectToDn(subject) };
}
