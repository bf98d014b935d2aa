// --key and --keys-from-stdin: the forms virt-v2v accepts, and one clear line for each mistake.
import { describe, expect, test } from "vitest";
import { isSelector, keyFromFileContent, parseKeyOption } from "../../../src/cli/luks-keys.js";
import { parseArgs } from "../../../src/cli/parse-args.js";

const run = (argv: string) => {
  const r = parseArgs(argv.split(" "));
  if (r.kind !== "run") throw new Error(`not a run: ${r.kind}`);
  return r.options;
};

describe("--key", () => {
  test("SELECTOR:key:PASSPHRASE keeps every colon after the method in the passphrase", () => {
    expect(parseKeyOption("/dev/sda2:key:a:b:c")).toEqual({ selector: "/dev/sda2", kind: "key", passphrase: "a:b:c" });
  });

  test("SELECTOR:file:FILE, with a LUKS UUID as the selector", () => {
    expect(parseKeyOption("2b6f1e4a-8c1d-4f0e-9a51-0123456789ab:file:/root/k.txt"))
      .toEqual({ selector: "2b6f1e4a-8c1d-4f0e-9a51-0123456789ab", kind: "file", file: "/root/k.txt" });
  });

  test.each([
    ["/dev/sda2", /method must be "key" or "file"/],
    [":key:x", /selector before the first ":" is empty/],
    ["sda2:key:x", /"sda2" is neither a \/dev\/ device name nor a UUID/],
    ["/dev/sda2:password:x", /method must be "key" or "file"/],
    ["/dev/sda2:key:", /passphrase after "key:" is empty/],
    ["/dev/sda2:file", /file name after "file:" is empty/],
    ["/dev/sda2:clevis", /Clevis\/Tang.*not supported/],
    ["/dev/sd$(x):key:p", /neither a \/dev\/ device name/],
  ])("%s is refused: %s", (value, why) => {
    expect(() => parseKeyOption(value)).toThrow(why);
    expect(() => parseKeyOption(value)).toThrow(/--key SELECTOR:key:PASSPHRASE or --key SELECTOR:file:FILE/);
  });

  test("selectors: device paths and UUIDs only", () => {
    for (const ok of ["/dev/sda2", "/dev/vg0/root", "/dev/md127", "0123456789abcdef0123456789abcdef", "01234567-89ab-cdef-0123-456789abcdef"]) expect(isSelector(ok)).toBe(true);
    for (const bad of ["dev/sda2", "/dev/../etc/passwd", "/dev/sda 2", "0123", "/dev/"]) expect(isSelector(bad)).toBe(false);
  });

  test("a key file gives its first line, without the newline", () => {
    expect(keyFromFileContent("s3cret\nignored\n")).toBe("s3cret");
    expect(keyFromFileContent("no newline")).toBe("no newline");
  });

  test("the command line: --key repeats, --keys-from-stdin is a flag, the default is none", () => {
    const o = run("-i disk a.img -o null --key /dev/sda2:key:one --key /dev/sdb1:file:/k --keys-from-stdin");
    expect(o.keys).toEqual([
      { selector: "/dev/sda2", kind: "key", passphrase: "one" },
      { selector: "/dev/sdb1", kind: "file", file: "/k" },
    ]);
    expect(o.keysFromStdin).toBe(true);
    const plain = run("-i disk a.img -o null");
    expect(plain.keys).toEqual([]);
    expect(plain.keysFromStdin).toBe(false);
  });
});
