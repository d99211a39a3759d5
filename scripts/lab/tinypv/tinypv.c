/* tinypv: a guest kernel that costs the lab (almost) nothing. It announces
 * itself on its PV console so the harness knows Xen really runs it, then
 * blocks forever, so `xl list` shows it alive with ~0 CPU time. A Linux PV
 * guest would need seconds of emulated CPU each under QEMU TCG. */
#include <stdint.h>
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/event_channel.h>
#include <xen/io/console.h>

extern char hypercall_page[];

/* Each hypercall stub is 32 bytes into the page; 64-bit PV ABI: rdi, rsi. */
static long hypercall2(unsigned int nr, unsigned long a1, unsigned long a2)
{
	register unsigned long rdi asm("rdi") = a1;
	register unsigned long rsi asm("rsi") = a2;
	long ret;
	asm volatile("call *%[stub]"
		     : "=a"(ret), "+r"(rdi), "+r"(rsi)
		     : [stub] "r"(hypercall_page + nr * 32)
		     : "rcx", "rdx", "r8", "r10", "r11", "memory");
	return ret;
}

static struct xencons_interface *console;
static evtchn_port_t console_port;

static void console_write(const char *s)
{
	XENCONS_RING_IDX prod = console->out_prod;

	for (; *s; s++) {
		while (prod - console->out_cons >= sizeof(console->out))
			hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
		console->out[MASK_XENCONS_IDX(prod, console->out)] = *s;
		prod++;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE); /* ring data before the index */
	console->out_prod = prod;

	struct evtchn_send send = { .port = console_port };
	hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&send);
}

static const char *decimal(unsigned long v, char *buf_end)
{
	char *p = buf_end;

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

void tinypv_main(start_info_t *si)
{
	/* The console ring is given as an MFN; the M2P table turns it into our
	 * PFN, and with virt_base 0 the ring's address is PFN << 12. */
	unsigned long pfn = machine_to_phys_mapping[si->console.domU.mfn];
	char digits[24];

	console = (struct xencons_interface *)(pfn << 12);
	console_port = si->console.domU.evtchn;

	console_write("GUEST-UP tinypv nr_pages=");
	console_write(decimal(si->nr_pages, digits + sizeof(digits)));
	console_write(" cmdline=");
	console_write((const char *)si->cmd_line);
	console_write("\r\n");

	/* Block on a private event channel nobody will ever signal. */
	struct evtchn_alloc_unbound unbound = { .dom = DOMID_SELF, .remote_dom = 0 };
	hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound,
		   (unsigned long)&unbound);
	evtchn_port_t port = unbound.port;

	for (;;) {
		struct sched_poll poll = { .nr_ports = 1, .timeout = 0 };

		set_xen_guest_handle(poll.ports, &port);
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&poll);
	}
}
