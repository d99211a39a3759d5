/**
 * The embedded test hypervisor (URI test:///default or test:///ABSOLUTE/PATH.xml).
 * As in libvirt, every open test:///default connection of a process shares
 * one state, which is discarded when the last of them closes; each file URI
 * connection gets a private state loaded from its file.
 */
import { DomainState } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { DriverOpener } from '../../types';
import { DEFAULT_NODE_INFO, DEFAULT_NUMA_CELLS, DEFAULT_URI_PATH, defaultDomain } from './defaults';
import { TestDriver, completeTestDefinition } from './driver';
import type { NodeFile } from './node-file';
import { TestState } from './state';
import type { NetStoreState } from './netstore-state';

export { TestDriver } from './driver';

let defaultState: TestState | null = null;

/** Networks and pools are parsed from XML on first use: loaded then, with the parser and their modules. */
function defaultNetStore(): NetStoreState {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./netstore-state') as typeof import('./netstore-state')).defaultNetStoreState();
}

function createDefaultState(): TestState {
  const state = new TestState(DEFAULT_NODE_INFO, DEFAULT_NUMA_CELLS, defaultNetStore);
  const dom = state.add(defaultDomain(), null);
  // libvirt loads it as "running" with reason 0 (unknown), not "booted".
  state.reindex(dom, () => dom.start(state.allocateId(), DomainState.RUNNING, 0));
  return state;
}

function createFileState(file: string, node: NodeFile): TestState {
  // File-described nodes have no NUMA topology, as in libvirt.
  const state = new TestState(node.nodeInfo, [], () => node.netstore);
  for (const { def, runstate, transient, autostart } of node.domains) {
    try {
      completeTestDefinition(def);
    } catch (err) {
      const e = err as XvirtError;
      throw new XvirtError(e.number, e.domain, `test driver file '${file}': domain '${def.name}': ${e.message}`);
    }
    const dom = transient ? state.add(null, def) : state.add(def, null);
    dom.autostart = autostart;
    if (runstate !== DomainState.SHUTOFF) {
      state.reindex(dom, () => dom.start(state.allocateId(), runstate, 0));
    }
  }
  return state;
}

export const openTestDriver: DriverOpener = async (uri) => {
  const file = uri.path;
  if (file === '' || file === '/') {
    throw XvirtError.of(
      ErrorNumber.INVALID_ARG,
      ErrorDomain.TEST,
      `testOpen: supply a path or use test:///default (got '${uri.text}')`,
    );
  }
  if (file === DEFAULT_URI_PATH) {
    const state = (defaultState ??= createDefaultState());
    state.openCount++;
    return new TestDriver(state, 'test:///default', releaseDefaultState);
  }
  // Node files are XML: their loader (and the parser) load only for a file URI.
  const { loadNodeFile } = await import('./node-file');
  const state = createFileState(file, await loadNodeFile(file));
  state.openCount++;
  return new TestDriver(state, `test://${file}`, releaseFileState);
};

// A connection's release is one of these two functions, not a closure per connection: a daemon's idle clients
// each hold a driver for as long as they stay.

/** test:///default's state is shared by its connections and dropped with the last one. */
function releaseDefaultState(state: TestState): void {
  if (--state.openCount === 0 && defaultState === state) defaultState = null;
}

function releaseFileState(state: TestState): void {
  state.openCount--;
}
