# What virt-manager and virt-install ask about networks, storage, node devices
# and host interfaces, through libvirt-python (libvirt's own client library),
# plus network and pool events: prints one JSON object, call name -> result or
# {"error": [code, domain, message]}. Used by
# test/integration/daemon/python-netstore.test.ts against xvirtd and libvirtd.
import json
import sys
import threading
import time

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
libvirt.virEventRegisterDefaultImpl()
conn = libvirt.open(sys.argv[1])
stop = False


def loop():
    while not stop:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=loop, daemon=True).start()
events = []
conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE,
                             lambda _c, net, ev, detail, _o: events.append(['net', net.name(), ev, detail]), None)
conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                 lambda _c, pool, ev, detail, _o: events.append(['pool', pool.name(), ev, detail]), None)
conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                                 lambda _c, pool, _o: events.append(['refresh', pool.name()]), None)

NET = ("<network><name>vm-net</name><uuid>0a1b2c3d-0000-4000-8000-00000000000a</uuid>"
       "<forward mode='nat'/><bridge name='virbr7'/><ip address='10.8.0.1' netmask='255.255.255.0'>"
       "<dhcp><range start='10.8.0.2' end='10.8.0.200'/></dhcp></ip></network>")
VOL = ("<volume><name>vm.qcow2</name><capacity unit='G'>8</capacity><allocation>0</allocation>"
       "<target><format type='qcow2'/><compat>1.1</compat><features><lazy_refcounts/></features></target></volume>")


def netinfo(n):
    return [n.name(), n.UUIDString(), n.isActive(), n.isPersistent(), n.autostart(), n.bridgeName(), n.XMLDesc(0)]


calls = {
    'listAllNetworks': lambda: sorted(n.name() for n in conn.listAllNetworks(0)),
    'listNetworks': lambda: conn.listNetworks(),
    'numOfNetworks': lambda: [conn.numOfNetworks(), conn.numOfDefinedNetworks()],
    'default': lambda: netinfo(conn.networkLookupByName('default')),
    'defaultByUUID': lambda: conn.networkLookupByUUIDString('dd8fe884-6c02-601e-7551-cca97df1c5df').name(),
    'leases': lambda: conn.networkLookupByName('default').DHCPLeases(),
    'defineNet': lambda: netinfo(conn.networkDefineXML(NET)),
    'startNet': lambda: conn.networkLookupByName('vm-net').create(),
    'destroyNet': lambda: conn.networkLookupByName('vm-net').destroy(),
    'undefineNet': lambda: conn.networkLookupByName('vm-net').undefine(),
    'listAllStoragePools': lambda: sorted(p.name() for p in conn.listAllStoragePools(0)),
    'listStoragePools': lambda: [conn.listStoragePools(), conn.listDefinedStoragePools()],
    'pool': lambda: [conn.storagePoolLookupByName('default-pool').info(), conn.storagePoolLookupByName('default-pool').XMLDesc(0)],
    'poolRefresh': lambda: conn.storagePoolLookupByName('default-pool').refresh(0),
    'createVol': lambda: conn.storagePoolLookupByName('default-pool').createXML(VOL, 0).path(),
    'volumes': lambda: sorted(v.name() for v in conn.storagePoolLookupByName('default-pool').listAllVolumes(0)),
    'listVolumes': lambda: conn.storagePoolLookupByName('default-pool').listVolumes(),
    'volByPath': lambda: [conn.storageVolLookupByPath('/default-pool/vm.qcow2').info(),
                          conn.storageVolLookupByPath('/default-pool/vm.qcow2').XMLDesc(0),
                          conn.storageVolLookupByPath('/default-pool/vm.qcow2').storagePoolLookupByVolume().name()],
    'volByKey': lambda: conn.storageVolLookupByKey('/default-pool/vm.qcow2').name(),
    'volMissing': lambda: conn.storageVolLookupByPath('/default-pool/nope'),
    'poolStopStart': lambda: [conn.storagePoolLookupByName('default-pool').destroy(), conn.storagePoolLookupByName('default-pool').create(0)],
    'listAllDevices': lambda: sorted(d.name() for d in conn.listAllDevices(0)),
    'listDevices': lambda: sorted(conn.listDevices(None, 0)),
    'devices': lambda: [[d.name(), d.parent(), d.listCaps(), d.XMLDesc(0)] for d in
                        sorted(conn.listAllDevices(0), key=lambda d: d.name()) if d.name() != 'computer'],
    'computer': lambda: conn.nodeDeviceLookupByName('computer').XMLDesc(0),
    'listAllInterfaces': lambda: [[i.name(), i.MACString(), i.isActive(), i.XMLDesc(0)] for i in conn.listAllInterfaces(0)],
    'interfaceByMAC': lambda: conn.interfaceLookupByMACString('aa:bb:cc:dd:ee:ff').name(),
}
out = {}
for name, call in calls.items():
    try:
        out[name] = call()
    except libvirt.libvirtError as e:
        out[name] = {'error': [e.get_error_code(), e.get_error_domain(), e.get_error_message()]}
deadline = time.time() + 5
while time.time() < deadline and len(events) < 7:
    time.sleep(0.05)
out['events'] = events
stop = True
print(json.dumps(out, sort_keys=True))
