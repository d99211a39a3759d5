/**
 * Node devices and host interfaces of the test hypervisor: read-only here
 * (listed, looked up, described), as virt-manager uses them. The default
 * ones are those of libvirt 9.0's test:///default, in its formatting.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { ListNodeDevicesFlags as F, LIST_NODE_DEVICES_FILTERS_CAP } from '../../netstore-constants';
import type { InterfaceRef, NodeDeviceRef } from '../../netstore-types';

export interface TestNodeDevice {
  name: string;
  parent: string | null;
  /** Top-level capability names (libvirt's virNodeDeviceListCaps for the test driver). */
  caps: string[];
  /** ListNodeDevicesFlags bits the device matches. */
  capFlags: number;
  xml: string;
}

export interface TestInterface {
  name: string;
  mac: string;
  active: boolean;
  xml: string;
}

function fcHost(
  name: string,
  parent: string,
  host: number,
  wwnn: string,
  wwpn: string,
  fabric: string,
  vports: boolean,
): TestNodeDevice {
  const lines = [
    '<device>',
    `  <name>${name}</name>`,
    `  <parent>${parent}</parent>`,
    "  <capability type='scsi_host'>",
    `    <host>${host}</host>`,
    `    <unique_id>${host - 1}</unique_id>`,
    "    <capability type='fc_host'>",
    `      <wwnn>${wwnn}</wwnn>`,
    `      <wwpn>${wwpn}</wwpn>`,
    `      <fabric_wwn>${fabric}</fabric_wwn>`,
    '    </capability>',
    // libvirt 9.0 formats max_vports and vports of the default devices as 0.
    ...(vports
      ? [
          "    <capability type='vport_ops'>",
          '      <max_vports>0</max_vports>',
          '      <vports>0</vports>',
          '    </capability>',
        ]
      : []),
    '  </capability>',
    '</device>',
  ];
  return {
    name,
    parent,
    caps: ['scsi_host'],
    capFlags: F.CAP_SCSI_HOST | F.CAP_FC_HOST | (vports ? F.CAP_VPORTS : 0),
    xml: lines.join('\n') + '\n',
  };
}

export function defaultNodeDevices(): TestNodeDevice[] {
  const computer: TestNodeDevice = {
    name: 'computer',
    parent: null,
    caps: ['system'],
    capFlags: F.CAP_SYSTEM,
    xml: `<device>
  <name>computer</name>
  <capability type='system'>
    <hardware>
      <vendor>Libvirt</vendor>
      <version>Test driver</version>
      <serial>123456</serial>
      <uuid>11111111-2222-3333-4444-555555555555</uuid>
    </hardware>
    <firmware>
      <vendor>Libvirt</vendor>
      <version>Test Driver</version>
      <release_date>01/22/2007</release_date>
    </firmware>
  </capability>
</device>
`,
  };
  return [
    computer,
    fcHost('scsi_host1', 'computer', 1, '2000000012341234', '1000000012341234', '2000000043214321', true),
    fcHost('scsi_host2', 'computer', 2, '2000000056785678', '1000000056785678', '2000000087658765', true),
    fcHost('scsi_host11', 'scsi_host1', 11, '2000000034563456', '1000000034563456', '2000000043214321', false),
  ];
}

export function defaultInterfaces(): TestInterface[] {
  return [
    {
      name: 'eth1',
      mac: 'aa:bb:cc:dd:ee:ff',
      active: true,
      xml: `<interface type='ethernet' name='eth1'>
  <start mode='onboot'/>
  <mtu size='1492'/>
  <protocol family='ipv4'>
    <ip address='192.168.0.5' prefix='24'/>
    <route gateway='192.168.0.1'/>
  </protocol>
  <mac address='aa:bb:cc:dd:ee:ff'/>
</interface>
`,
    },
  ];
}

export class TestHostDevices {
  readonly devices: TestNodeDevice[];
  readonly interfaces: TestInterface[];

  constructor(devices: TestNodeDevice[], interfaces: TestInterface[]) {
    this.devices = devices;
    this.interfaces = interfaces;
  }

  /** Devices matching any of the capability bits in `flags` (all when none is set). */
  listDevices(flags: number): NodeDeviceRef[] {
    const caps = flags & LIST_NODE_DEVICES_FILTERS_CAP;
    return this.devices.filter((d) => caps === 0 || (d.capFlags & caps) !== 0).map((d) => ({ name: d.name }));
  }

  device(name: string): TestNodeDevice {
    const dev = this.devices.find((d) => d.name === name);
    if (!dev)
      throw XvirtError.of(ErrorNumber.NO_NODE_DEVICE, ErrorDomain.TEST, `no node device with matching name '${name}'`);
    return dev;
  }

  listInterfaces(flags: number): InterfaceRef[] {
    const pair = flags & 3;
    return this.interfaces
      .filter((i) => pair === 0 || pair === 3 || (pair === 2) === i.active)
      .map((i) => ({ name: i.name, mac: i.mac }));
  }

  iface(name: string): TestInterface {
    const found = this.interfaces.find((i) => i.name === name);
    if (!found)
      throw XvirtError.of(ErrorNumber.NO_INTERFACE, ErrorDomain.TEST, `no interface with matching name '${name}'`);
    return found;
  }

  ifaceByMac(mac: string): TestInterface {
    const found = this.interfaces.filter((i) => i.mac.toLowerCase() === mac.toLowerCase());
    if (found.length === 0)
      throw XvirtError.of(ErrorNumber.NO_INTERFACE, ErrorDomain.TEST, `no interface with matching mac '${mac}'`);
    if (found.length > 1)
      throw new XvirtError(ErrorNumber.MULTIPLE_INTERFACES, ErrorDomain.TEST, 'multiple matching interfaces found');
    return found[0]!;
  }
}
