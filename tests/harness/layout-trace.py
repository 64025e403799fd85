#!/usr/bin/env python3
"""layout-trace.py SYMBOLS HITS PROGRAM [ARG...]: which functions of a Native AOT executable a run calls.

Runs PROGRAM under ptrace with a one-shot breakpoint (int3) on the first byte of every function listed in SYMBOLS
("hex-address name" lines, from `nm` of the executable's .dbg). The first time any thread reaches a function, its
name is appended to HITS and its byte restored, so each function costs one trap and the run then goes at full
speed. HITS is written as it goes (the benchmarks stop servers with signals) and ends up in first-call order: the
input of ILC's explicit method layout (layout-profile.sh). Only for non-position-independent executables, whose
functions sit at the addresses nm prints. Exits with PROGRAM's exit status. Linux x86-64, root or ptrace rights.
"""
import ctypes
import os
import signal
import sys

PTRACE_TRACEME, PTRACE_CONT, PTRACE_GETREGS, PTRACE_SETREGS, PTRACE_SETOPTIONS = 0, 7, 12, 13, 0x4200
PTRACE_O_TRACECLONE, PTRACE_O_EXITKILL = 0x8, 0x100000
WALL = 0x40000000
INT3 = b'\xcc'


class Registers(ctypes.Structure):  # struct user_regs_struct, x86-64
    _fields_ = [(name, ctypes.c_ulonglong) for name in (
        'r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss '
        'fs_base gs_base ds es fs gs').split()]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    symbols_path, hits_path, program = sys.argv[1], sys.argv[2], sys.argv[3:]
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.restype = ctypes.c_long
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]

    names = {}
    with open(symbols_path) as symbols:
        for line in symbols:
            address, name = line.split(' ', 1)
            names.setdefault(int(address, 16), name.strip())

    pid = os.fork()
    if pid == 0:
        libc.ptrace(PTRACE_TRACEME, 0, None, None)
        os.execv(program[0], program)
    os.waitpid(pid, 0)  # stopped right after the exec, before the first instruction
    libc.ptrace(PTRACE_SETOPTIONS, pid, None, ctypes.c_void_p(PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL))
    memory = os.open(f'/proc/{pid}/mem', os.O_RDWR)
    original = {}
    for address in names:
        byte = os.pread(memory, 1, address)
        if byte != INT3:
            original[address] = byte
            os.pwrite(memory, INT3, address)

    # The benchmarks stop the commands they run with signals: pass them on, the traced program decides.
    for forwarded in (signal.SIGTERM, signal.SIGINT):
        signal.signal(forwarded, lambda number, _frame: os.kill(pid, number))

    restored = set()
    status_of_program = 1
    with open(hits_path, 'a', buffering=1) as hits:
        libc.ptrace(PTRACE_CONT, pid, None, None)
        while True:
            try:
                tid, status = os.waitpid(-1, WALL)
            except ChildProcessError:
                break
            if os.WIFEXITED(status) or os.WIFSIGNALED(status):
                if tid == pid:
                    status_of_program = os.waitstatus_to_exitcode(status)
                continue
            stop = os.WSTOPSIG(status)
            deliver = 0
            if stop == signal.SIGTRAP and status >> 16 == 0:
                registers = Registers()
                libc.ptrace(PTRACE_GETREGS, tid, None, ctypes.byref(registers))
                address = registers.rip - 1
                if address in original:
                    os.pwrite(memory, original.pop(address), address)
                    restored.add(address)
                    hits.write(names[address] + '\n')
                if address in restored:  # also a thread that reached it before it was restored
                    registers.rip = address
                    libc.ptrace(PTRACE_SETREGS, tid, None, ctypes.byref(registers))
                else:
                    deliver = stop  # the program's own breakpoint
            elif stop not in (signal.SIGTRAP, signal.SIGSTOP):  # not a clone event or a new thread's first stop
                deliver = stop
            libc.ptrace(PTRACE_CONT, tid, None, ctypes.c_void_p(deliver))
    sys.exit(status_of_program)


if __name__ == '__main__':
    main()
