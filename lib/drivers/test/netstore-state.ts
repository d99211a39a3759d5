/** Everything network- and storage-related one test hypervisor holds. */
import { parseNetworkXml } from '../../xml/network';
import { parseStoragePoolXml } from '../../xml/storage-pool';
import { defaultInterfaces, defaultNodeDevices, TestHostDevices } from './host-devices';
import { TestNetworks } from './networks';
import { TestPools } from './pools';

/** libvirt 9.0's test:///default network, as it is written in its node description. */
const DEFAULT_NETWORK_XML = `<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <bridge name='virbr0'/>
  <forward/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>`;

const DEFAULT_POOL_XML = `<pool type='dir'>
  <name>default-pool</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <target>
    <path>/default-pool</path>
  </target>
</pool>`;

export class NetStoreState {
  readonly networks = new TestNetworks();
  readonly pools = new TestPools();
  readonly host: TestHostDevices;

  constructor(host: TestHostDevices) {
    this.host = host;
  }
}

/** The state test:///default starts with: network 'default' and pool 'default-pool', both running, no volumes. */
export function defaultNetStoreState(): NetStoreState {
  const state = new NetStoreState(new TestHostDevices(defaultNodeDevices(), defaultInterfaces()));
  state.networks.load(parseNetworkXml(DEFAULT_NETWORK_XML));
  state.pools.load(parseStoragePoolXml(DEFAULT_POOL_XML));
  return state;
}
