// The image header parsers (format detection, VMDK, qcow2) at the bounds Stryker found untested: short buffers, exact limits,
// NUL padding, comments and blank lines in descriptors, quoting, and what makes a snapshot's parent.
import { describe, expect, test } from "vitest";
import { detectFormat } from "../../../../src/inputs/image/formats.js";
import { parseQcow2Header } from "../../../../src/inputs/image/qcow2-header.js";
import { MAX_DESCRIPTOR_BYTES, MAX_EXTENTS, parseDescriptor, parseSparseHeader } from "../../../../src/inputs/image/vmdk.js";

const text = (s: string, size?: number): Buffer => {
  const b = Buffer.alloc(size ?? Buffer.byteLength(s, "latin1"));
  b.write(s, "latin1");
  return b;
};

describe("detectFormat", () => {
  test("a magic is matched whole, at the start, and only when the file is long enough", () => {
    expect(detectFormat(text("KDM")).kind).toBe("raw");
    expect(detectFormat(text("KDMV")).kind).toBe("vmdk-sparse");
    expect(detectFormat(text("xKDMV")).kind).toBe("raw");
    expect(detectFormat(text("QFI\xfb")).kind).toBe("unsupported");
    expect(detectFormat(text("QFI\xfb\0\0\0\x02")).kind).toBe("qcow2");
    expect(detectFormat(text("QFI\xfb\0\0\0\x03", 8)).kind).toBe("qcow2");
  });

  test("a vdi signature needs the whole 0x44 bytes", () => {
    const vdi = Buffer.alloc(0x44);
    vdi.writeUInt32LE(0xbeda107f, 0x40);
    expect(detectFormat(vdi)).toEqual({ kind: "unsupported", name: "vdi" });
    expect(detectFormat(vdi.subarray(0, 0x43)).kind).toBe("raw");
  });

  test.each([
    ["comment line first", "# Disk DescriptorFile\n", "vmdk-descriptor"],
    ["comments and blank lines, then version", "\n# made by hand\n\n  version = 1\ncreateType = \"monolithicFlat\"\n", "vmdk-descriptor"],
    ["NUL padding after the text (an embedded descriptor)", "version=1\ncreateType=\"monolithicSparse\"\n\0\0\0\0", "vmdk-descriptor"],
    ["a NUL inside the text", "version=1\n\0createType=x\n", "raw"],
    ["version is not the first key", "CID=1\nversion=1\ncreateType=x\n", "raw"],
    ["version with a suffix", "version=1a\ncreateType=x\n", "raw"],
    ["version without a number", "version=\ncreateType=x\n", "raw"],
    ["no createType", "version=1\nCID=fffffffe\n", "raw"],
    ["createType with spaces before =", "version=10\ncreateType  =x\n", "vmdk-descriptor"],
    ["only a comment", "# nothing\n", "raw"],
  ])("%s", (_what, s, kind) => {
    expect(detectFormat(text(s)).kind).toBe(kind);
  });

  test("only the first 1024 bytes are read for a descriptor", () => {
    expect(detectFormat(text(`${"#".repeat(1100)}\nversion=1\ncreateType=x\n`)).kind).toBe("raw");
  });
});

describe("parseSparseHeader", () => {
  const header = (capacity: bigint, descOffset = 0n, descSectors = 0n, size = 512): Buffer => {
    const b = Buffer.alloc(size);
    b.write("KDMV", 0, "latin1");
    b.writeBigUInt64LE(capacity, 12);
    b.writeBigUInt64LE(descOffset, 28);
    b.writeBigUInt64LE(descSectors, 36);
    return b;
  };

  test("a header shorter than 512 bytes, or without KDMV, is not one", () => {
    expect(() => parseSparseHeader(header(8n).subarray(0, 511))).toThrow("not a VMDK sparse header");
    const b = header(8n);
    b.write("KDMW", 0, "latin1");
    expect(() => parseSparseHeader(b)).toThrow("not a VMDK sparse header");
  });

  test("no embedded descriptor when either its offset or its size is 0", () => {
    expect(parseSparseHeader(header(2048n))).toStrictEqual({ capacitySectors: 2048 });
    expect(parseSparseHeader(header(2048n, 1n, 0n))).toStrictEqual({ capacitySectors: 2048 });
    expect(parseSparseHeader(header(2048n, 0n, 20n))).toStrictEqual({ capacitySectors: 2048 });
  });

  test("a capacity beyond what JavaScript counts exactly is impossible", () => {
    expect(() => parseSparseHeader(header(2n ** 60n))).toThrow("the capacity is impossible");
    expect(parseSparseHeader(header(2n ** 40n)).capacitySectors).toBe(2 ** 40);
  });

  test("a descriptor of exactly 1 MiB is accepted, one sector more is not", () => {
    const sectors = BigInt(MAX_DESCRIPTOR_BYTES / 512);
    expect(parseSparseHeader(header(8n, 1n, sectors)).descriptor).toEqual({ offset: 512, length: MAX_DESCRIPTOR_BYTES });
    expect(() => parseSparseHeader(header(8n, 1n, sectors + 1n))).toThrow(/embedded descriptor .* is impossible/);
  });
});

describe("parseDescriptor", () => {
  test("comments, blank lines, NUL padding and lines that are not key=value are skipped", () => {
    const d = parseDescriptor('# Disk DescriptorFile\n\n   \nversion=1\n# RW 1 FLAT "commented.vmdk" 0\nnot a key line\ncreateType="monolithicFlat"  \nRW 8 FLAT "a.vmdk" 0\0\0garbage\n');
    expect(d).toStrictEqual({ createType: "monolithicFlat", extents: [{ access: "RW", sectors: 8, type: "FLAT", file: "a.vmdk", offsetSectors: 0 }] });
  });

  test("values are unquoted only when quoted at both ends", () => {
    expect(parseDescriptor('createType = "vmfs"').createType).toBe("vmfs");
    expect(parseDescriptor("createType=vmfs").createType).toBe("vmfs");
    expect(parseDescriptor('createType="vmfs').createType).toBe('"vmfs');
    expect(parseDescriptor('createType=vmfs"').createType).toBe('vmfs"');
  });

  test("an access word must be followed by a space to start an extent line", () => {
    expect(parseDescriptor("RWX=1\n").extents).toEqual([]);
  });

  test("a parent needs a non-empty hint and a parentCID other than ffffffff (in any case)", () => {
    const base = 'RW 8 SPARSE "delta.vmdk"\n';
    expect(parseDescriptor(`${base}parentCID=1234abcd\nparentFileNameHint="base.vmdk"\n`).parentFileNameHint).toBe("base.vmdk");
    expect(parseDescriptor(`${base}parentCID=FFFFFFFF\nparentFileNameHint="base.vmdk"\n`)).not.toHaveProperty("parentFileNameHint");
    expect(parseDescriptor(`${base}parentCID=1234abcd\nparentFileNameHint=""\n`)).not.toHaveProperty("parentFileNameHint");
    expect(parseDescriptor(`${base}parentFileNameHint="base.vmdk"\n`)).not.toHaveProperty("parentFileNameHint");
    expect(parseDescriptor(`${base}parentCID=1234abcd\n`)).not.toHaveProperty("parentFileNameHint");
  });

  test("no createType: no key", () => {
    expect(parseDescriptor('RW 8 FLAT "a.vmdk" 0\n')).not.toHaveProperty("createType");
  });

  test("exactly the limits: 1024 extents and a 1 MiB descriptor pass; one more of either does not", () => {
    const lines = (n: number): string => 'RW 1 FLAT "a.vmdk" 0\n'.repeat(n);
    expect(parseDescriptor(lines(MAX_EXTENTS)).extents).toHaveLength(MAX_EXTENTS);
    expect(() => parseDescriptor(lines(MAX_EXTENTS + 1))).toThrow(`more than ${MAX_EXTENTS} extents`);
    const pad = (n: number): string => `createType=x\n${"#".repeat(n - 13)}`;
    expect(pad(MAX_DESCRIPTOR_BYTES)).toHaveLength(MAX_DESCRIPTOR_BYTES);
    expect(parseDescriptor(pad(MAX_DESCRIPTOR_BYTES)).createType).toBe("x");
    expect(() => parseDescriptor(pad(MAX_DESCRIPTOR_BYTES + 1))).toThrow("the descriptor is too big");
  });

  test("an extent whose size or offset JavaScript cannot count exactly is impossible", () => {
    expect(() => parseDescriptor(`RW ${2 ** 53} FLAT "a.vmdk" 0\n`)).toThrow("an extent's size is impossible");
    expect(() => parseDescriptor(`RW 8 FLAT "a.vmdk" ${2 ** 53}\n`)).toThrow("an extent's size is impossible");
  });

  test("a malformed extent line is quoted, cut at 80 characters", () => {
    expect(() => parseDescriptor(`RW 8 FLAT "${"x".repeat(100)}" junk\n`)).toThrow(`extent line "RW 8 FLAT "${"x".repeat(69)}" is malformed`);
  });
});

describe("parseQcow2Header", () => {
  /** A minimal qcow2 header of `size` bytes: version, 1 MiB, and (v3) header length 104. */
  const header = (version: number, size: number, headerLength = 104): Buffer => {
    const b = Buffer.alloc(size);
    b.write("QFI\xfb", 0, "latin1");
    b.writeUInt32BE(version, 4);
    b.writeBigUInt64BE(1048576n, 24);
    if (version === 3 && size >= 104) b.writeUInt32BE(headerLength, 100);
    return b;
  };
  const ext = (b: Buffer, at: number, type: number, data: Buffer): number => {
    b.writeUInt32BE(type, at);
    b.writeUInt32BE(data.length, at + 4);
    data.copy(b, at + 8);
    return at + 8 + Math.ceil(data.length / 8) * 8;
  };

  test("a v2 header of exactly 72 bytes is whole; 71 is truncated", () => {
    expect(parseQcow2Header(header(2, 72))).toStrictEqual({ version: 2, virtualSizeBytes: 1048576, externalDataFile: false, encryption: 0 });
    expect(() => parseQcow2Header(header(2, 71))).toThrow("the qcow2 header is truncated");
  });

  test("versions other than 2 and 3 are refused by number", () => {
    expect(() => parseQcow2Header(header(1, 4096))).toThrow("qcow2 version 1 is not supported");
    expect(() => parseQcow2Header(header(4, 4096))).toThrow("qcow2 version 4 is not supported");
  });

  test("a v3 header: 104 bytes is whole, 103 truncated; its length field must be 104 .. the bytes given", () => {
    expect(parseQcow2Header(header(3, 104)).version).toBe(3);
    expect(() => parseQcow2Header(header(3, 103))).toThrow("the qcow2 v3 header is truncated");
    expect(() => parseQcow2Header(header(3, 4096, 96))).toThrow("qcow2 header length 96 is impossible");
    expect(() => parseQcow2Header(header(3, 4096, 4097))).toThrow("qcow2 header length 4097 is impossible");
    expect(parseQcow2Header(header(3, 4096, 4096)).version).toBe(3);
  });

  test("a backing name of 1023 bytes is allowed, 1024 or 0 are not", () => {
    const named = (length: number): Buffer => {
      const b = header(3, 4096);
      b.writeBigUInt64BE(2048n, 8);
      b.writeUInt32BE(length, 16);
      return b;
    };
    expect(parseQcow2Header(named(1023)).backingName).toEqual({ offset: 2048, length: 1023 });
    expect(() => parseQcow2Header(named(1024))).toThrow("the backing file name is 1024 bytes long");
    expect(() => parseQcow2Header(named(0))).toThrow("the backing file name is 0 bytes long");
  });

  test("extensions are walked with their 8-byte padding, up to the end marker; one that fills the buffer exactly is read", () => {
    const b = header(3, 4096);
    let at = ext(b, 104, 0x12345678, Buffer.from("abc")); // padded to 8
    at = ext(b, at, 0xe2792aca, Buffer.from("qcow2"));
    expect(at).toBe(104 + 16 + 16);
    expect(parseQcow2Header(b).backingFormat).toBe("qcow2");

    const exact = header(3, 104 + 8 + 3);
    ext(exact, 104, 0xe2792aca, Buffer.from("raw"));
    expect(parseQcow2Header(exact).backingFormat).toBe("raw");

    const afterEnd = header(3, 4096);
    ext(afterEnd, ext(afterEnd, 104, 0, Buffer.alloc(0)), 0xe2792aca, Buffer.from("raw"));
    expect(parseQcow2Header(afterEnd)).not.toHaveProperty("backingFormat");
  });

  test("an extension one byte past the buffer is refused", () => {
    const b = header(3, 104 + 8 + 3);
    b.writeUInt32BE(0xe2792aca, 104);
    b.writeUInt32BE(4, 108);
    expect(() => parseQcow2Header(b)).toThrow("a qcow2 header extension runs past the header");
  });

  test("at most 1024 extensions are read", () => {
    const b = header(3, 104 + 1025 * 8 + 16);
    let at = 104;
    for (let i = 0; i < 1024; i++) at = ext(b, at, 0x11111111, Buffer.alloc(0));
    ext(b, at, 0x44415441, Buffer.from("x"));
    expect(parseQcow2Header(b).externalDataFile).toBe(false);
  });
});
