"""The loop that runs inside the sandbox child (sent as source after wire.py's source).

It reads requests from the fd named by argv[1] and answers on argv[2]'s, so whatever the submission prints to
stdout/stderr can never be mistaken for an answer. Submission code runs in a fresh
``__main__`` module, as in a notebook kernel. Requests:

- {"op": "exec", "source": str, "filename": str}
- {"op": "call", "target": "name" or "name.attr", "args": list, "kwargs": dict,
   "seed": int or None, "return_args": bool}
- {"op": "has", "name": str}
- {"op": "seal", "graded": [names]}: what is defined now (the course's setup), except the graded
  names, is "given"; given names are restored after every exec and before every call, so a
  submission's redefinition of a helper never reaches a grader.

Answers: {"ok": True, "value": ...} or {"ok": False, "error": {"type", "message", "traceback"}}.
"""
# The wire helpers (encode, read_message, write_message, ...) are defined above this text.


def _serve(request_fd, response_fd):
    import builtins
    import os
    import sys
    import traceback
    import types

    import numpy

    runner_files = {"<string>", __file__ if "__file__" in globals() else "<string>"}
    runner_module = sys.modules["__main__"]  # keep the runner's globals alive
    kernel = types.ModuleType("__main__")
    kernel.__dict__["__builtins__"] = builtins
    namespace = kernel.__dict__
    sys.modules["__main__"] = kernel
    sys.path.insert(0, os.getcwd())

    def strip_magics(source):
        # IPython magics and shell escapes are not Python; a grader never needs them.
        lines = source.splitlines()
        return "\n".join("pass  # " + l if l.lstrip().startswith(("%", "!")) else l for l in lines)

    def error_reply(exc):
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename not in runner_files]
        text = "".join(traceback.format_list(frames[-8:]))
        text += "".join(traceback.format_exception_only(type(exc), exc))
        return {"ok": False, "error": {"type": type(exc).__name__,
                                       "message": str(exc)[:2000], "traceback": text[-6000:]}}

    given = {}

    def restore_given():
        for name, value in given.items():
            if namespace.get(name, given) is not value:
                namespace[name] = value

    def resolve(target):
        head, *rest = target.split(".")
        if head not in namespace:
            raise NameError(f"name '{head}' is not defined")
        obj = namespace[head]
        for attr in rest:
            obj = getattr(obj, attr)
        return obj

    while True:
        try:
            request = read_message(request_fd)  # noqa: F821 (from wire.py)
        except (EOFError, OSError):
            os._exit(0)
        try:
            op = request.get("op")
            if op == "exec":
                code = compile(strip_magics(request["source"]), request.get("filename", "<cell>"), "exec")
                try:
                    exec(code, namespace)
                finally:
                    restore_given()
                reply = {"ok": True, "value": None}
            elif op == "call":
                restore_given()
                func = resolve(request["target"])
                args = list(request.get("args") or [])
                kwargs = dict(request.get("kwargs") or {})
                if request.get("seed") is not None:
                    numpy.random.seed(request["seed"])
                value = func(*args, **kwargs)
                reply = {"ok": True, "value": value}
                if request.get("return_args"):
                    reply["args"] = args
                    reply["kwargs"] = kwargs
            elif op == "seal":
                graded = set(request.get("graded") or [])
                given.update((k, v) for k, v in namespace.items() if k not in graded and not k.startswith("__"))
                reply = {"ok": True, "value": None}
            elif op == "has":
                reply = {"ok": True, "value": request.get("name") in namespace}
            else:
                reply = {"ok": False, "error": {"type": "BadRequest", "message": str(op), "traceback": ""}}
        except BaseException as exc:  # SystemExit and KeyboardInterrupt are the submission's too
            reply = error_reply(exc)
        try:
            write_message(response_fd, reply, max_bytes=MAX_REPLY_BYTES)  # noqa: F821 (from wire.py)
        except Exception as exc:  # an unencodable value, or a broken pipe
            try:
                write_message(response_fd, error_reply(exc), max_bytes=MAX_REPLY_BYTES)  # noqa: F821
            except Exception:
                os._exit(3)


import sys as _sys  # noqa: E402

_serve(int(_sys.argv[1]), int(_sys.argv[2]))
