# What a virt-manager-like tool asks for, through libvirt-python (Debian's
# python3-libvirt, libvirt's own client library): prints one JSON object,
# call name -> result or {"error": [code, domain, message]}. Used by
# test/integration/daemon/python-stats.test.ts against xvirtd and libvirtd.
import json
import sys

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])
dom = conn.lookupByName('test')
calls = {
    'getLibVersion': lambda: conn.getLibVersion(),
    'getAllDomainStats': lambda: [[d.name(), s] for d, s in conn.getAllDomainStats()],
    'domainListGetStats': lambda: [[d.name(), s] for d, s in conn.domainListGetStats([dom], libvirt.VIR_DOMAIN_STATS_STATE)],
    'memoryStats': lambda: dom.memoryStats(),
    'blockStats.shape': lambda: [type(v).__name__ for v in dom.blockStats('vda')],
    'blockStats.bad': lambda: dom.blockStats('hda'),
    'interfaceStats.shape': lambda: len(dom.interfaceStats('testnet0')),
    'interfaceStats.bad': lambda: dom.interfaceStats('vnet0'),
    'vcpus.placement': lambda: [[v[0], v[1], v[3]] for v in dom.vcpus()[0]] + [list(m) for m in dom.vcpus()[1]],
    'vcpusFlags': lambda: [dom.vcpusFlags(f) for f in (0, libvirt.VIR_DOMAIN_VCPU_MAXIMUM, libvirt.VIR_DOMAIN_AFFECT_CONFIG)],
    'getCPUStats.total': lambda: dom.getCPUStats(True),
    'getCPUStats.percpu': lambda: dom.getCPUStats(False),
    'getCPUMap': lambda: conn.getCPUMap(),
    'getCPUStats.node': lambda: conn.getCPUStats(libvirt.VIR_NODE_CPU_STATS_ALL_CPUS),
    'getMemoryStats': lambda: conn.getMemoryStats(libvirt.VIR_NODE_MEMORY_STATS_ALL_CELLS),
    'getFreeMemory': lambda: conn.getFreeMemory(),
    'getCellsFreeMemory': lambda: conn.getCellsFreeMemory(0, 2),
    'getCellsFreeMemory.bad': lambda: conn.getCellsFreeMemory(5, 1),
}
out = {}
for name, call in calls.items():
    try:
        out[name] = call()
    except libvirt.libvirtError as e:
        out[name] = {'error': [e.get_error_code(), e.get_error_domain(), e.get_error_message()]}
print(json.dumps(out, sort_keys=True))
