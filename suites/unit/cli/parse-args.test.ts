import { describe, expect, test } from "vitest";
import { parseArgs, type ParseResult } from "../../../src/cli/parse-args.js";
import { V2vError } from "../../../src/model/errors.js";
import type { RunOptions } from "../../../src/model/types.js";

const w = (line: string): string[] => line.split(" ").filter((s) => s !== "");

function runOptions(line: string): RunOptions {
  const r = parseArgs(w(line));
  if (r.kind !== "run") throw new Error(`expected kind run, got ${r.kind}`);
  return r.options;
}

function errorOf(argv: readonly string[]): V2vError {
  try {
    parseArgs(argv);
  } catch (e) {
    if (e instanceof V2vError) return e;
    throw e;
  }
  throw new Error(`no error for ${argv.join(" ")}`);
}

const defaults = {
  root: { kind: "ask" }, blockDriver: "virtio-blk", keys: [], keysFromStdin: false, verbose: false, trace: false, quiet: false, machineReadable: false, printSource: false,
} as const;
const out = { format: "raw", allocation: "sparse", compressed: false } as const;

describe("argv -> RunOptions", () => {
  const cases: [string, RunOptions][] = [
    ["-i disk a.img -o local -os /tmp/o", {
      ...defaults, input: { mode: "disk", args: ["a.img"] }, output: { ...out, mode: "local", storage: "/tmp/o" },
    }],
    ["-i local a.img b.img -o disk -os=/o -on new", {
      ...defaults, input: { mode: "disk", args: ["a.img", "b.img"] },
      output: { ...out, mode: "local", storage: "/o", name: "new" },
    }],
    ["-i ova g.ova -o qemu -os /o -of qcow2 -oa preallocated --compressed --qemu-boot", {
      ...defaults, input: { mode: "ova", args: ["g.ova"] },
      output: { mode: "qemu", storage: "/o", format: "qcow2", allocation: "preallocated", compressed: true, qemuBoot: true } as RunOptions["output"],
    }],
    ["-i ova g.ova -o qemu -os /o -of qcow2 -oo compressed -oo qemu-boot=true", {
      ...defaults, input: { mode: "ova", args: ["g.ova"] },
      output: { ...out, mode: "qemu", storage: "/o", format: "qcow2", compressed: true, qemuBoot: true } as RunOptions["output"],
    }],
    ["-i disk -if qcow2 a.qcow2 -o null -vx -q --root first --colours", {
      ...defaults, verbose: true, trace: true, quiet: true, root: { kind: "first" },
      input: { mode: "disk", args: ["a.qcow2"], inputFormat: "qcow2" }, output: { ...out, mode: "null" },
    }],
    ["--verbose --quiet -i disk a.img -o json -os /o --root=/dev/sda2 --machine-readable", {
      ...defaults, verbose: true, quiet: true, machineReadable: true, root: { kind: "device", device: "/dev/sda2" },
      input: { mode: "disk", args: ["a.img"] }, output: { ...out, mode: "json", storage: "/o" },
    }],
    ["-i ova g.ova --print-source", {
      ...defaults, printSource: true, input: { mode: "ova", args: ["g.ova"] }, output: { ...out, mode: "null" },
    }],
    ["-i disk -o local -os /o --machine-readable=stream:stdout --debug-gc -- -odd-name.img", {
      ...defaults, machineReadable: true, input: { mode: "disk", args: ["-odd-name.img"] },
      output: { ...out, mode: "local", storage: "/o" },
    }],
  ];
  test.each(cases)("%s", (line, expected) => {
    expect(runOptions(line)).toEqual(expected);
  });

  test("--block-driver: virtio-blk by default, virtio-scsi when asked, in both spellings", () => {
    expect(runOptions("-i disk a.img -o null").blockDriver).toBe("virtio-blk");
    expect(runOptions("-i disk a.img -o null --block-driver virtio-scsi").blockDriver).toBe("virtio-scsi");
    expect(runOptions("-i disk a.img -o null --block-driver=virtio-blk").blockDriver).toBe("virtio-blk");
  });

  test("a value option takes the next word even when it starts with a dash, as getopt does", () => {
    expect(runOptions("-i disk a.img -o local -os -dir").output.storage).toBe("-dir");
  });
});

describe("errors", () => {
  const cases: [string, string][] = [
    ["-i disk a.img -o local -os /o -os /p", "option -os given twice; give it once"],
    ["-i disk -i ova a.img -o null", "option -i given twice; give it once"],
    ["-i disk a.img -o null --root a --root b", "option --root given twice; give it once"],
    ["-i disk a.img -o null --block-driver ide", "--block-driver ide: use virtio-blk (the default) or virtio-scsi"],
    ["-i disk a.img -o null --block-driver virtio-scsi --block-driver virtio-blk", "option --block-driver given twice; give it once"],
    ["-foo -i disk a.img -o null", "unknown option -foo; see v2v --help"],
    ["-i disk a.img -o null --bogus=1", "unknown option --bogus; see v2v --help"],
    ["-i disk a.img -o null --no-verbose", "unknown option --no-verbose; see v2v --help"],
    ["-i disk a.img -o null -vz", "unknown option -vz; see v2v --help"],
    ["-i disk a.img -o null -oi", "unknown option -oi; see v2v --help"],
    ["-i disk a.img -o null -ic qemu:///system", "option -ic is not implemented yet in v2v; see v2v --help for the options it supports"],
    ["-i disk a.img -o null --mac=aa:bb:cc:dd:ee:ff:network:x", "option --mac is not implemented yet in v2v; see v2v --help for the options it supports"],
    ["-i vmx g.vmx -o null", "-i vmx: this input mode is not implemented yet; supported: disk, ova"],
    ["-i libvirt g -o null", "-i libvirt: this input mode is not implemented yet; supported: disk, ova"],
    ["-i xen g -o null", "-i xen: unknown input mode; supported: disk, ova"],
    ["-i disk a.img -o openstack -os /o", "-o openstack: this output mode is not implemented yet; supported: local, qemu, null, json, kubevirt"],
    ["-i disk a.img -o tape", "-o tape: unknown output mode; supported: local, qemu, null, json, kubevirt"],
    ["-o null a.img", "-i is required: v2v cannot read from libvirt (virt-v2v's default), so give -i disk or -i ova"],
    ["-i disk a.img", "-o is required: v2v cannot write to libvirt (virt-v2v's default), so give -o local, qemu, null, json or kubevirt"],
    ["-i disk a.img -o local -os /o --compressed", "--compressed needs -of qcow2"],
    ["-i disk a.img -o local -os /o -oo compressed", "-oo compressed needs -of qcow2"],
    ["-i disk a.img -o null -os /o", "-o null writes no files: remove -os"],
    ["-i disk a.img -o null -of qcow2", "-o null writes no disks: remove -of qcow2"],
    ["-i disk a.img -o null -oa preallocated", "-o null writes no disks: remove -oa preallocated"],
    ["-i disk a.img -o null -oo compressed", "-o null takes no -oo options: remove -oo compressed"],
    ["-i disk a.img -o null --compressed", "-o null writes no disks: remove --compressed"],
    ["-i disk a.img -o local", "-o local needs -os DIR: the directory to write the guest to"],
    ["-i disk a.img -o qemu", "-o qemu needs -os DIR: the directory to write the guest to"],
    ["-i disk a.img -o json", "-o json needs -os DIR: the directory to write the guest to"],
    ["-i disk a.img -o local -os /o --qemu-boot", "--qemu-boot needs -o qemu"],
    ["-i disk a.img -o local -os /o -oo qemu-boot", "-oo qemu-boot: not an option of -o local; valid keys: compressed (see -oo ?)"],
    ["-i disk a.img -o qemu -os /o -oo bogus", "-oo bogus: not an option of -o qemu; valid keys: compressed, qemu-boot (see -oo ?)"],
    ["-i disk a.img -o qemu -os /o -oo compressed=maybe", "-oo compressed=maybe: expected true or false"],
    ["-i disk -o null", "no source given: name the disk image(s) after the options"],
    ["-i ova -o null", "no source given: name the OVA file or directory after the options"],
    ["-i ova a.ova b.ova -o null", "-i ova takes exactly one OVA file or directory, but 2 were given"],
    ["-i ova -if vmdk a.ova -o null", "-if does not apply to -i ova: its source names its own disk formats; remove -if"],
    ["-i disk -if vdi a.img -o null", "-if vdi: expected raw or qcow2 or vmdk"],
    ["-i disk a.img -o local -os /o -of vmdk", "-of vmdk: expected raw or qcow2"],
    ["-i disk a.img -o local -os /o -oa thin", "-oa thin: expected sparse or preallocated"],
    ["-i disk a.img -o null --root sda", "--root sda: expected ask, single, first or a device such as /dev/sda2"],
    ["-i disk a.img -o local -os /o -on a/b", "-on \"a/b\": the guest name must be non-empty and contain no '/', since it names files in -os"],
    ["-i disk a.img -o null -on", "option -on needs a value; see v2v --help"],
    ["-i disk a.img -o null --machine-readable=file:/tmp/x", "--machine-readable=file:/tmp/x: only stream:stdout is supported; use --machine-readable alone to write to stdout"],
    ["-i disk a.img -o null -io vddk-thumbprint=x", "-i disk takes no -io options: remove -io vddk-thumbprint=x"],
    ["-oo ?", "-oo ? lists the output options of one output mode: add -o MODE"],
    ["", "no options given: v2v needs -i MODE, -o MODE and a source; see v2v --help"],
  ];
  test.each(cases)("%s", (line, message) => {
    const e = errorOf(w(line));
    expect(e.code).toBe("BAD_OPTION");
    expect(e.message).toBe(message);
  });

  test("-q with -v is allowed, as in virt-v2v", () => {
    const o = runOptions("-q -v -i disk a.img -o null");
    expect([o.quiet, o.verbose]).toEqual([true, true]);
  });
});

describe("other results", () => {
  const cases: [string, ParseResult][] = [
    ["--help", { kind: "help" }],
    ["-h", { kind: "help" }],
    ["-i disk a.img -o null --help", { kind: "help" }],
    ["-V", { kind: "version" }],
    ["--version", { kind: "version" }],
    ["-vV", { kind: "version" }],
    ["--machine-readable", { kind: "capabilities" }],
    ["--machine-readable -i ova -o null", { kind: "capabilities" }],
    ["-o qemu -oo ?", { kind: "list-oo", lines: [
      "Output options (-oo) for -o qemu:",
      "  -oo compressed  write qcow2 with compressed clusters (needs -of qcow2)",
      "  -oo qemu-boot   start the guest with the generated script once it is written",
    ] }],
    ["-o disk -oo ?", { kind: "list-oo", lines: [
      "Output options (-oo) for -o local:",
      "  -oo compressed  write qcow2 with compressed clusters (needs -of qcow2)",
    ] }],
    ["-i disk a.img -o null -oo ?", { kind: "list-oo", lines: ["-o null has no output options (-oo)."] }],
    ["-i disk a.img -o null -io ?", { kind: "list-oo", lines: ["-i disk has no input options (-io)."] }],
  ];
  test.each(cases)("%s", (line, expected) => {
    expect(parseArgs(w(line))).toEqual(expected);
  });
});
