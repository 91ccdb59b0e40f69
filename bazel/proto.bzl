"""C++ message and gRPC stubs from .proto files with Debian's protoc.

Bazel's own proto rules would fetch protobuf's sources; this macro instead
runs the system `protoc` and `grpc_cpp_plugin` (protobuf-compiler,
protobuf-compiler-grpc) in a genrule, so the build stays offline and the
generated code matches the installed runtime libraries exactly.
"""

def cc_grpc_proto_library(
        name,
        srcs,
        import_root,
        deps = [],
        grpc = True,
        includes = [],
        imports = [],
        visibility = None):
    """Generates and compiles C++ code for `srcs`.

    Args:
      name: the cc_library other targets depend on.
      srcs: .proto files, all under `import_root` (a path relative to the
        workspace root, or an absolute path for system protos).
      import_root: the -I directory imports are resolved against; generated
        headers are included by the path below it, e.g.
        "tessera/v1/admin.pb.h".
      deps: cc_grpc_proto_library targets for imported protos.
      grpc: also generate service stubs (.grpc.pb.*).
      includes: further -I directories (workspace-relative), for protos that
        import from another root, e.g. ["proto"] for "tessera/v1/...".
      imports: the .proto files imported from those roots (inputs only).
      visibility: passed to the cc_library.
    """
    # Each target's headers live in a directory of their own that only its
    # genrule writes, on the include path through `includes` (not
    # strip_include_prefix): with --spawn_strategy=local nothing hides stale
    # files, and a _virtual_includes tree keeps symlinks to headers that
    # have left a target (Bazel never prunes it), which the compiler then
    # finds first. The "_pb" name is new for that reason: the old "_gen"
    # trees in existing output bases still hold storage.pb.h.
    out_prefix = name + "_pb"
    rels = []
    for src in srcs:
        if import_root.startswith("/"):
            rel = src[len(import_root) + 1:]
        else:
            rel = src.split(":")[-1]
        rels.append(rel[:-len(".proto")])

    hdrs = []
    cc_srcs = []
    for rel in rels:
        hdrs.append("%s/%s.pb.h" % (out_prefix, rel))
        cc_srcs.append("%s/%s.pb.cc" % (out_prefix, rel))
        if grpc:
            hdrs.append("%s/%s.grpc.pb.h" % (out_prefix, rel))
            cc_srcs.append("%s/%s.grpc.pb.cc" % (out_prefix, rel))

    # System protos are named by absolute path; workspace ones are labels,
    # and a genrule runs in the execution root, where a workspace file's
    # path is its path below the workspace root.
    is_system = import_root.startswith("/")
    files = " ".join(srcs if is_system else ["$(location %s)" % s for s in srcs])
    grpc_flags = ""
    if grpc:
        grpc_flags = (" --grpc_out=$(@D)/%s" % out_prefix +
                      " --plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin)")

    include_flags = "".join([" -I%s" % include for include in includes])
    native.genrule(
        name = name + "_protoc",
        srcs = ([] if is_system else srcs) + imports,
        outs = hdrs + cc_srcs,
        cmd = ("protoc -I%s%s -I/usr/include --cpp_out=$(@D)/%s%s %s" %
               (import_root, include_flags, out_prefix, grpc_flags, files)),
        message = "protoc " + name,
    )
    native.cc_library(
        name = name,
        srcs = cc_srcs,
        hdrs = hdrs,
        includes = [out_prefix],
        # Generated code is not ours to fix: no -Werror here.
        copts = ["-w"],
        deps = deps + [
            "//third_party:grpc++",
            "//third_party:protobuf",
        ],
        visibility = visibility,
    )
