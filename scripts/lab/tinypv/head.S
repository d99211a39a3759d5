/* Entry point and Xen ELF notes of tinypv, the lab's minimal x86_64 PV guest.
 * The notes are what libxenguest's domain builder checks before it loads us:
 * guest OS name, "xen-3.0" interface, the generic loader, where to enter and
 * where to put the hypercall page. virt_base 0 keeps VA == PFN << 12. */
#define NOTE_ENTRY          1
#define NOTE_HYPERCALL_PAGE 2
#define NOTE_VIRT_BASE      3
#define NOTE_PADDR_OFFSET   4
#define NOTE_XEN_VERSION    5
#define NOTE_GUEST_OS       6
#define NOTE_GUEST_VERSION  7
#define NOTE_LOADER         8

/* note_begin/note_end bracket one note's descriptor. */
.macro note_begin type
        .pushsection .note.Xen, "a", @note
        .balign 4
        .long 4                 /* namesz: "Xen\0" */
        .long 782f - 781f       /* descsz */
        .long \type
        .asciz "Xen"
        .balign 4
781:
.endm
.macro note_end
782:    .balign 4
        .popsection
.endm
.macro note_str type, str
        note_begin \type
        .asciz "\str"
        note_end
.endm
.macro note_quad type, value
        note_begin \type
        .quad \value
        note_end
.endm

        note_str  NOTE_GUEST_OS,       xvirt-lab-tinypv
        note_str  NOTE_GUEST_VERSION,  1
        note_str  NOTE_XEN_VERSION,    xen-3.0
        note_str  NOTE_LOADER,         generic
        note_quad NOTE_VIRT_BASE,      0
        note_quad NOTE_PADDR_OFFSET,   0
        note_quad NOTE_ENTRY,          _start
        note_quad NOTE_HYPERCALL_PAGE, hypercall_page

        .text
        .globl _start
_start:                         /* Xen passes the start_info VA in %rsi */
        cld
        leaq  stack_end(%rip), %rsp
        movq  %rsi, %rdi
        call  tinypv_main
halt:   hlt                     /* tinypv_main never returns */
        jmp   halt

        .balign 4096
        .globl hypercall_page
hypercall_page:                 /* the domain builder writes the stubs here */
        .fill 4096, 1, 0xcc

        .bss
        .balign 16
stack:  .skip 16384
stack_end:
