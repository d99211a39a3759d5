// xl config generation from a parsed definition: exact output, quoting, and
// refusal of what xl cannot express or that could inject config lines.
import t from 'tap';
import { ErrorNumber } from '../../../../lib/errors';
import { toXlConfig, xlString, type XlDomainConfig } from '../../../../lib/drivers/xen/xl';

const base: XlDomainConfig = {
  name: 'g1',
  uuid: '11111111-2222-3333-4444-555555555501',
  type: 'pv',
  memoryKiB: 16384,
  maxMemoryKiB: 20000,
  vcpus: 1,
  kernel: '/guest/tinypv.elf',
  ramdisk: null,
  cmdline: 'console=hvc0 xenlab_guest=g1',
  onPoweroff: 'preserve',
  onCrash: 'preserve',
};

t.test('a PV guest becomes the xl config the lab boots', async (t) => {
  t.equal(
    toXlConfig(base),
    [
      'name = "g1"',
      'uuid = "11111111-2222-3333-4444-555555555501"',
      'type = "pv"',
      'memory = 16',
      'maxmem = 20',
      'vcpus = 1',
      'kernel = "/guest/tinypv.elf"',
      'extra = "console=hvc0 xenlab_guest=g1"',
      'on_poweroff = "preserve"',
      'on_crash = "preserve"',
      '',
    ].join('\n'),
  );
  t.match(
    toXlConfig({ ...base, maxMemoryKiB: 1, ramdisk: '/r.gz' }),
    /maxmem = 16\nvcpus = 1\nkernel = "\/guest\/tinypv.elf"\nramdisk = "\/r.gz"/,
    'maxmem never below memory',
  );
  t.match(toXlConfig({ ...base, type: 'hvm', kernel: null }), /type = "hvm"/, 'HVM needs no kernel');
});

t.test('values are quoted so nothing can start a new config line', async (t) => {
  t.equal(xlString('a "b" \\c', 'x'), '"a \\"b\\" \\\\c"');
  t.throws(() => toXlConfig({ ...base, cmdline: 'quiet"\nbootloader = "/bin/sh' }), {
    number: ErrorNumber.CONFIG_UNSUPPORTED,
    message: /control characters/,
  });
  t.throws(() => toXlConfig({ ...base, kernel: '/k\u0000' }), { message: /kernel contains control characters/ });
});

t.test('what xl cannot express is refused with a message naming it', async (t) => {
  const bad: Array<[Partial<XlDomainConfig>, RegExp]> = [
    [{ name: 'has space' }, /domain name 'has space'/],
    [{ name: 'x'.repeat(65) }, /at most 64/],
    [{ memoryKiB: 0 }, /memory must be a positive integer/],
    [{ vcpus: 1.5 }, /vCPU count/],
    [{ kernel: null }, /pv guest needs an <os><kernel>/],
    [{ onCrash: 'explode' }, /on_crash action 'explode'/],
  ];
  for (const [patch, message] of bad)
    t.throws(() => toXlConfig({ ...base, ...patch }), { number: ErrorNumber.CONFIG_UNSUPPORTED, message });
});
