/**
 * Capabilities XML of the test hypervisor, laid out as libvirt 9.0's test
 * driver reports it: an i686 host with 4 KiB, 8 KiB, 2 MiB and 1 GiB pages,
 * its NUMA cells, the 'testSecurity' model, and hvm and xen guests.
 */
import { TEST_ARCH } from './defaults';
import type { NumaCell } from './defaults';

const PAGE_SIZES_KIB = [4, 8, 2048, 1048576];
const EMULATOR = '/usr/bin/test-hv';

function formatCell(cell: NumaCell, index: number, firstCpu: number): string[] {
  // libvirt's test driver gives cell 1 the 8 KiB base page and the others 4 KiB.
  const basePage = index === 1 ? PAGE_SIZES_KIB[1]! : PAGE_SIZES_KIB[0]!;
  const lines = [
    `        <cell id='${index}'>`,
    `          <memory unit='KiB'>${cell.memoryKiB}</memory>`,
    `          <pages unit='KiB' size='${basePage}'>${Math.floor(cell.memoryKiB / basePage)}</pages>`,
    ...PAGE_SIZES_KIB.slice(2).map((size) => `          <pages unit='KiB' size='${size}'>0</pages>`),
    `          <cpus num='${cell.cpus}'>`,
  ];
  for (let i = 0; i < cell.cpus; i++) {
    const id = firstCpu + i;
    lines.push(`            <cpu id='${id}' socket_id='${index}' die_id='0' core_id='${i}' siblings='${id}'/>`);
  }
  lines.push('          </cpus>', '        </cell>');
  return lines;
}

function formatGuest(osType: string): string[] {
  return [
    '  <guest>',
    `    <os_type>${osType}</os_type>`,
    `    <arch name='${TEST_ARCH}'>`,
    '      <wordsize>32</wordsize>',
    `      <emulator>${EMULATOR}</emulator>`,
    "      <domain type='test'/>",
    '    </arch>',
    '    <features>',
    '      <pae/>',
    '      <nonpae/>',
    '    </features>',
    '  </guest>',
    '',
  ];
}

export function formatCapabilities(cells: readonly NumaCell[]): string {
  const cellLines: string[] = [];
  let firstCpu = 0;
  cells.forEach((cell, i) => {
    cellLines.push(...formatCell(cell, i, firstCpu));
    firstCpu += cell.cpus;
  });
  const lines = [
    '<capabilities>',
    '',
    '  <host>',
    '    <cpu>',
    `      <arch>${TEST_ARCH}</arch>`,
    '      <features>',
    '        <pae/>',
    '        <nonpae/>',
    '      </features>',
    ...PAGE_SIZES_KIB.map((size) => `      <pages unit='KiB' size='${size}'/>`),
    '    </cpu>',
    '    <power_management/>',
    "    <iommu support='no'/>",
    '    <topology>',
    `      <cells num='${cells.length}'>`,
    ...cellLines,
    '      </cells>',
    '    </topology>',
    '    <secmodel>',
    '      <model>testSecurity</model>',
    '      <doi></doi>',
    '    </secmodel>',
    '  </host>',
    '',
    ...formatGuest('hvm'),
    ...formatGuest('xen'),
    '</capabilities>',
  ];
  return lines.join('\n') + '\n';
}
