// guestfish's printed results as libguestfs 1.48 prints them (list-filesystems,
// inspect-get-mountpoints, list-devices, inspect-list-applications2), and the shell quoting that
// every guest command line goes through, checked by running /bin/sh on it.
import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { formatAppVersion, parseKeyValues, parseLines, parseStructList, shellQuote } from "../../../src/guest/parse-output.js";

describe("parseKeyValues", () => {
  test("list-filesystems: device -> type, every line", () => {
    expect(parseKeyValues("/dev/sda1: vfat\n/dev/sda2: ext4\n/dev/sda3: swap\n/dev/sdb: unknown\n")).toEqual({
      "/dev/sda1": "vfat", "/dev/sda2": "ext4", "/dev/sda3": "swap", "/dev/sdb": "unknown",
    });
  });

  test("the value is everything after the first ': ', kept as is; the key is trimmed", () => {
    expect(parseKeyValues("  /boot: /dev/sda1\nlabel: a: b \n")).toEqual({ "/boot": "/dev/sda1", label: "a: b " });
  });

  test("'key:' at the end of a line is an empty value; lines without a key are skipped", () => {
    expect(parseKeyValues("UUID:\n: orphan\nno separator\n\n/dev/sda1:/x\n")).toEqual({ UUID: "" });
  });
});

describe("parseLines", () => {
  test("list-devices: one per line, empty lines dropped, the rest kept as written", () => {
    expect(parseLines("/dev/sda\n\n/dev/sdb\n \n")).toEqual(["/dev/sda", "/dev/sdb", " "]);
    expect(parseLines("")).toEqual([]);
  });
});

describe("parseStructList", () => {
  const apps = [
    "[0] = {",
    "  app2_name: adduser",
    "  app2_display_name: ",
    "  app2_epoch: 0",
    "  app2_version: 3.134",
    "  app2_release: ",
    "  app2_summary: add and remove users: and groups",
    "}",
    "[1] = {",
    "  app2_name: libc6",
    "  app2_epoch: 1",
    "  app2_version: 2.36",
    "  app2_release: 9+deb12u4",
    "}",
    "",
  ].join("\n");

  test("inspect-list-applications2: one record per struct, values trimmed, colons after the first kept", () => {
    expect(parseStructList(apps)).toEqual([
      { app2_name: "adduser", app2_display_name: "", app2_epoch: "0", app2_version: "3.134", app2_release: "", app2_summary: "add and remove users: and groups" },
      { app2_name: "libc6", app2_epoch: "1", app2_version: "2.36", app2_release: "9+deb12u4" },
    ]);
  });

  test("text outside a struct, a line without a key, and an unclosed last struct are not records", () => {
    expect(parseStructList("libguestfs: warning\n[0] = {\n  a: 1\n  :2\n  junk\n}\nb: 2\n}\n[1] = {\n  c: 3\n")).toEqual([{ a: "1" }]);
    expect(parseStructList("")).toEqual([]);
  });
});

describe("formatAppVersion", () => {
  test.each([
    [{ app2_epoch: "0", app2_version: "3.134", app2_release: "" }, "3.134"],
    [{ app2_epoch: "1", app2_version: "2.36", app2_release: "9+deb12u4" }, "1:2.36-9+deb12u4"],
    [{ app2_version: "6.1.0", app2_release: "18" }, "6.1.0-18"],
    [{ app2_epoch: "2" }, "2:"],
    [{}, ""],
  ])("%j -> %s", (app, version) => {
    expect(formatAppVersion(app)).toBe(version);
  });
});

describe("shellQuote", () => {
  test("words of safe characters are left alone", () => {
    for (const w of ["/usr/sbin/update-initramfs", "-k", "6.1.0-18-amd64", "a=b", "user@host:1,2", "100%", "x+y", "_"]) {
      expect(shellQuote(w)).toBe(w);
    }
  });

  test("anything else is single-quoted, with a single quote closed, escaped and reopened", () => {
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  test.each(["", "a b", "it's", "$HOME", "a$1", "$(reboot)", "`id`", "a;b|c&d", "*", "~root", "x\ny", "\"q\"", "back\\slash", "''", "-n", "${IFS}"])(
    "/bin/sh reads %j back as one word, unchanged",
    (word) => {
      const out = execFileSync("/bin/sh", ["-c", `printf '%s' ${shellQuote(word)}; printf '|%s' ${shellQuote(word)} end`], { encoding: "utf8" });
      expect(out).toBe(`${word}|${word}|end`);
    },
  );
});
