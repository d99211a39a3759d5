/**
 * Persistent definitions (Xen domains, a host's storage pools and networks):
 * one `<uuid>.xml` per object (plus an empty `<uuid>.autostart` marker) in a
 * state directory, each written atomically (temp file, fsync, rename, fsync
 * of the directory) so a crash leaves either the old or the new definition,
 * never half of one.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fsyncDir, writeFileAtomic as replaceFileAtomically } from '../atomic-file';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { isUuid, parseUuid } from '../uuid';

/** What the store holds, for its errors: the objects' noun and libvirt's error domain for them. */
export interface StoredKind {
  noun: string;
  domain: ErrorDomain;
}

const DOMAINS: StoredKind = { noun: 'domain', domain: ErrorDomain.XEN };

/** What a definition's parsed XML must carry at least. */
export interface Identity {
  name: string;
  uuid: string;
}

export interface StoredDefinition<C extends Identity = Identity> {
  uuid: string;
  name: string;
  xml: string;
  /** The parsed XML, kept so readers do not parse it again (treat as read-only). */
  config: C;
  autostart: boolean;
}

/** Parses a definition's XML (the domain XML parser's job): name and UUID at least. */
export type IdentityParser<C extends Identity = Identity> = (xml: string) => C;

function systemError(domain: ErrorDomain, what: string, err: unknown): XvirtError {
  return XvirtError.of(ErrorNumber.SYSTEM_ERROR, domain, `${what}: ${(err as Error).message}`, { cause: err });
}

/** Replaces `file` with `data` atomically and durably (lib/atomic-file), as a SYSTEM_ERROR naming the file on failure. */
export async function writeFileAtomic(file: string, data: string, domain = ErrorDomain.XEN): Promise<void> {
  try {
    await replaceFileAtomically(file, data);
  } catch (err) {
    throw systemError(domain, `cannot write ${file}`, err);
  }
}

export class DefinitionStore<C extends Identity = Identity> {
  readonly dir: string;
  readonly #parse: IdentityParser<C>;
  readonly #kind: StoredKind;
  readonly #byUuid = new Map<string, StoredDefinition<C>>();

  private constructor(dir: string, parse: IdentityParser<C>, kind: StoredKind) {
    this.dir = dir;
    this.#parse = parse;
    this.#kind = kind;
  }

  /** Opens (creating it 0700 if needed) and loads the state directory. Unreadable files are reported, not dropped. */
  static async open<C extends Identity>(
    dir: string,
    parse: IdentityParser<C>,
    kind = DOMAINS,
  ): Promise<DefinitionStore<C>> {
    const store = new DefinitionStore<C>(dir, parse, kind);
    const systemError = (what: string, err: unknown) => store.#systemError(what, err);
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw systemError(`cannot create the state directory ${dir}`, err);
    }
    let entries: string[];
    try {
      entries = await fs.readdir(dir);
    } catch (err) {
      throw systemError(`cannot read the state directory ${dir}`, err);
    }
    for (const file of entries) {
      // Temp files of a write a crash interrupted: the definition they belong to is still the old one.
      if (/^\..+\.tmp$/.test(file)) {
        await fs.rm(path.join(dir, file), { force: true });
        continue;
      }
      const m = /^([0-9a-f-]{36})\.xml$/.exec(file);
      if (!m || !isUuid(m[1]!)) continue;
      const xml = await fs.readFile(path.join(dir, file), 'utf8');
      let identity: C;
      try {
        identity = parse(xml);
      } catch (err) {
        throw XvirtError.of(
          ErrorNumber.CONF_SYNTAX,
          kind.domain,
          `definition ${path.join(dir, file)} is not valid ${kind.noun} XML: ${(err as Error).message}`,
          { cause: err },
        );
      }
      if (parseUuid(identity.uuid) !== m[1]) {
        throw XvirtError.of(
          ErrorNumber.CONF_SYNTAX,
          kind.domain,
          `definition ${path.join(dir, file)} holds UUID ${identity.uuid}, not the one in its file name`,
        );
      }
      const autostart = entries.includes(`${m[1]}.autostart`);
      store.#byUuid.set(m[1]!, { uuid: m[1]!, name: identity.name, xml, config: identity, autostart });
    }
    return store;
  }

  #systemError(what: string, err: unknown): XvirtError {
    return systemError(this.#kind.domain, what, err);
  }

  all(): StoredDefinition<C>[] {
    return [...this.#byUuid.values()];
  }
  byUuid(uuid: string): StoredDefinition<C> | undefined {
    return this.#byUuid.get(uuid);
  }
  byName(name: string): StoredDefinition<C> | undefined {
    return this.all().find((d) => d.name === name);
  }

  /**
   * Adds or replaces a definition; resolves once it is durable. Returns
   * whether it replaced one. `identity` saves reparsing XML the caller parsed;
   * it is kept as the definition's config.
   */
  async save(
    xml: string,
    identity: C = this.#parse(xml),
  ): Promise<{ definition: StoredDefinition<C>; replaced: boolean }> {
    const { name } = identity;
    const uuid = parseUuid(identity.uuid);
    const clash = this.byName(name);
    if (clash && clash.uuid !== uuid) {
      // Pools and networks check identities themselves first, in their own words; this is the domains' error.
      throw XvirtError.of(
        ErrorNumber.DOM_EXIST,
        this.#kind.domain,
        `${this.#kind.noun} '${name}' is already defined with uuid ${clash.uuid}`,
      );
    }
    const old = this.#byUuid.get(uuid);
    await writeFileAtomic(path.join(this.dir, `${uuid}.xml`), xml, this.#kind.domain);
    const definition = { uuid, name, xml, config: identity, autostart: old?.autostart ?? false };
    this.#byUuid.set(uuid, definition);
    return { definition, replaced: old !== undefined };
  }

  async remove(uuid: string): Promise<void> {
    try {
      await fs.rm(path.join(this.dir, `${uuid}.autostart`), { force: true });
      await fs.rm(path.join(this.dir, `${uuid}.xml`), { force: true });
      await fsyncDir(this.dir);
    } catch (err) {
      throw this.#systemError(`cannot remove the definition of ${uuid}`, err);
    }
    this.#byUuid.delete(uuid);
  }

  async setAutostart(uuid: string, autostart: boolean): Promise<void> {
    const def = this.#byUuid.get(uuid);
    if (!def)
      throw XvirtError.of(
        ErrorNumber.OPERATION_INVALID,
        this.#kind.domain,
        `cannot set autostart for a transient ${this.#kind.noun}`,
      );
    const marker = path.join(this.dir, `${uuid}.autostart`);
    if (autostart) await writeFileAtomic(marker, '', this.#kind.domain);
    else {
      try {
        await fs.rm(marker, { force: true });
        await fsyncDir(this.dir);
      } catch (err) {
        throw this.#systemError(`cannot remove ${marker}`, err);
      }
    }
    def.autostart = autostart;
  }
}
