// Where drivers are looked for: VIRTIO_WIN, then VIRTIO_WIN_DIR, then the default ISO, then the
// default directory; a bad VIRTIO_WIN is refused with one line naming the path and the fix.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { V2vError } from "../../../../src/model/errors.js";
import {
  DEFAULT_VIRTIO_WIN_DIR, DEFAULT_VIRTIO_WIN_ISO, decideDriverSource, locateDriverSource, statProbe, type PathKind,
} from "../../../../src/converters/windows/virtio-win/source.js";

const probeOf = (m: Record<string, PathKind>) => (p: string): PathKind => m[p] ?? "missing";

describe("decideDriverSource", () => {
  test("VIRTIO_WIN wins over VIRTIO_WIN_DIR and the defaults", () => {
    const probe = probeOf({ "/a": "dir", "/b": "dir", [DEFAULT_VIRTIO_WIN_ISO]: "file" });
    expect(decideDriverSource({ VIRTIO_WIN: "/a", VIRTIO_WIN_DIR: "/b" }, probe)).toEqual({ kind: "dir", path: "/a", searched: ["/a"] });
    expect(decideDriverSource({ VIRTIO_WIN_DIR: "/b" }, probe)).toEqual({ kind: "dir", path: "/b", searched: ["/b"] });
  });

  test("a regular file is an ISO", () => {
    expect(decideDriverSource({ VIRTIO_WIN: "/x.iso" }, probeOf({ "/x.iso": "file" })).kind).toBe("iso");
  });

  test("an empty VIRTIO_WIN counts as unset", () => {
    expect(decideDriverSource({ VIRTIO_WIN: "", VIRTIO_WIN_DIR: "/b" }, probeOf({ "/b": "dir" })).path).toBe("/b");
  });

  test.each([["missing", /does not exist/], ["other", /neither a directory nor a regular file/]] as const)(
    "a %s VIRTIO_WIN is refused, naming the path and the fix", (kind, words) => {
      let err: unknown;
      try {
        decideDriverSource({ VIRTIO_WIN: "/dev/sr0", VIRTIO_WIN_DIR: "/b" }, probeOf({ "/dev/sr0": kind, "/b": "dir" }));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(V2vError);
      expect((err as V2vError).code).toBe("BAD_OPTION");
      expect((err as Error).message).toMatch(words);
      expect((err as Error).message).toMatch(/^VIRTIO_WIN=\/dev\/sr0 .*set VIRTIO_WIN to the virtio-win directory or to the virtio-win ISO file, or unset it$/);
      expect((err as Error).message).not.toMatch(/\n/);
    });

  test("a bad legacy VIRTIO_WIN_DIR names that variable", () => {
    expect(() => decideDriverSource({ VIRTIO_WIN_DIR: "/nope" }, probeOf({}))).toThrow(/^VIRTIO_WIN_DIR=\/nope does not exist/);
  });

  test("defaults: the ISO first, then the directory, else none with both searched", () => {
    expect(decideDriverSource({}, probeOf({ [DEFAULT_VIRTIO_WIN_ISO]: "file", [DEFAULT_VIRTIO_WIN_DIR]: "dir" })))
      .toEqual({ kind: "iso", path: DEFAULT_VIRTIO_WIN_ISO, searched: [DEFAULT_VIRTIO_WIN_ISO] });
    expect(decideDriverSource({}, probeOf({ [DEFAULT_VIRTIO_WIN_ISO]: "dir", [DEFAULT_VIRTIO_WIN_DIR]: "dir" })))
      .toEqual({ kind: "dir", path: DEFAULT_VIRTIO_WIN_DIR, searched: [DEFAULT_VIRTIO_WIN_ISO, DEFAULT_VIRTIO_WIN_DIR] });
    expect(decideDriverSource({}, probeOf({ [DEFAULT_VIRTIO_WIN_DIR]: "file" })))
      .toEqual({ kind: "none", path: "", searched: [DEFAULT_VIRTIO_WIN_ISO, DEFAULT_VIRTIO_WIN_DIR] });
  });
});

test("statProbe and locateDriverSource on real paths", () => {
  const d = mkdtempSync(join(tmpdir(), "v2v-vw-src-"));
  try {
    writeFileSync(join(d, "v.iso"), "x");
    expect(statProbe(d)).toBe("dir");
    expect(statProbe(join(d, "v.iso"))).toBe("file");
    expect(statProbe(join(d, "none"))).toBe("missing");
    expect(statProbe(join(d, "v.iso", "under-a-file"))).toBe("missing");
    expect(statProbe("/dev/null")).toBe("other");
    expect(locateDriverSource({ VIRTIO_WIN: join(d, "v.iso") })).toEqual({ kind: "iso", path: join(d, "v.iso"), searched: [join(d, "v.iso")] });
    expect(() => locateDriverSource({ VIRTIO_WIN: "/dev/null" })).toThrow(/VIRTIO_WIN=\/dev\/null is neither/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
