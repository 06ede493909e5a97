"""A seccomp filter for the sandbox child, as the raw BPF program bubblewrap's ``--seccomp`` reads.

Refused (EPERM): everything that mounts, makes or enters namespaces, traces or reads other
processes, or reaches kernel facilities a numpy exercise never needs (keyrings, BPF, perf,
modules, kexec, swap, reboot). ``clone`` is allowed unless it asks for a new namespace;
``clone3`` answers ENOSYS, so libc falls back to ``clone``, whose flags a filter can read.
Syscall numbers are those of the kernel headers (asm/unistd_64.h for x86-64, asm-generic for
aarch64); on another architecture no filter is built and results record that.
"""
from __future__ import annotations

import errno
import platform
import struct

# struct seccomp_data: nr (u32), arch (u32), instruction_pointer (u64), args[6] (u64)
_NR, _ARCH, _ARG0_LOW = 0, 4, 16  # args[0] low 32 bits (little endian)
_BPF_LD_W_ABS, _BPF_JEQ_K, _BPF_JGE_K, _BPF_JSET_K, _BPF_RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
_RET_ALLOW, _RET_ERRNO, _RET_KILL_PROCESS = 0x7FFF0000, 0x00050000, 0x80000000

# clone flags that create namespaces (CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET)
_CLONE_NEW_MASK = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000

_DENIED = ("mount umount2 pivot_root chroot ptrace unshare setns keyctl add_key request_key bpf "
           "perf_event_open userfaultfd kexec_load kexec_file_load init_module finit_module delete_module "
           "swapon swapoff reboot acct open_tree move_mount fsopen fsconfig fsmount fspick mount_setattr "
           "process_vm_readv process_vm_writev").split()

_TABLES = {  # machine -> (AUDIT_ARCH_*, syscall numbers)
    "x86_64": (0xC000003E, dict(
        mount=165, umount2=166, pivot_root=155, chroot=161, ptrace=101, unshare=272, setns=308, clone=56,
        clone3=435, keyctl=250, add_key=248, request_key=249, bpf=321, perf_event_open=298, userfaultfd=323,
        kexec_load=246, kexec_file_load=320, init_module=175, finit_module=313, delete_module=176, swapon=167,
        swapoff=168, reboot=169, acct=163, open_tree=428, move_mount=429, fsopen=430, fsconfig=431,
        fsmount=432, fspick=433, mount_setattr=442, process_vm_readv=310, process_vm_writev=311)),
    "aarch64": (0xC00000B7, dict(
        mount=40, umount2=39, pivot_root=41, chroot=51, ptrace=117, unshare=97, setns=268, clone=220,
        clone3=435, keyctl=219, add_key=217, request_key=218, bpf=280, perf_event_open=241, userfaultfd=282,
        kexec_load=104, kexec_file_load=294, init_module=105, finit_module=273, delete_module=106, swapon=224,
        swapoff=225, reboot=142, acct=89, open_tree=428, move_mount=429, fsopen=430, fsconfig=431,
        fsmount=432, fspick=433, mount_setattr=442, process_vm_readv=270, process_vm_writev=271)),
}


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def filter_program(machine: str | None = None) -> bytes | None:
    """The BPF program (bytes of struct sock_filter), or None on an architecture without a table."""
    table = _TABLES.get(machine or platform.machine())
    if table is None:
        return None
    arch, numbers = table
    eperm, enosys = _RET_ERRNO | errno.EPERM, _RET_ERRNO | errno.ENOSYS
    prog = [
        _insn(_BPF_LD_W_ABS, _ARCH),
        _insn(_BPF_JEQ_K, arch, jt=1),  # a foreign ABI (e.g. 32-bit) could use other numbers: kill
        _insn(_BPF_RET_K, _RET_KILL_PROCESS),
        _insn(_BPF_LD_W_ABS, _NR),
    ]
    if arch == 0xC000003E:
        prog += [_insn(_BPF_JGE_K, 0x40000000, jf=1), _insn(_BPF_RET_K, eperm)]  # x32 syscalls
    for name in _DENIED:
        prog += [_insn(_BPF_JEQ_K, numbers[name], jf=1), _insn(_BPF_RET_K, eperm)]
    prog += [
        _insn(_BPF_JEQ_K, numbers["clone3"], jf=1), _insn(_BPF_RET_K, enosys),
        _insn(_BPF_JEQ_K, numbers["clone"], jf=3),
        _insn(_BPF_LD_W_ABS, _ARG0_LOW),
        _insn(_BPF_JSET_K, _CLONE_NEW_MASK, jf=1),
        _insn(_BPF_RET_K, eperm),
        _insn(_BPF_RET_K, _RET_ALLOW),
    ]
    return b"".join(prog)
