// The shared rules for values from untrusted metadata: name checks, MAC normalisation, terminal escaping.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  GUEST_NAME_MAX_BYTES, MEMORY_MAX_BYTES, MEMORY_MIN_BYTES, NETWORK_NAME_MAX_CHARS, VCPUS_MAX,
  escapeForTerminal, guestNameProblem, networkNameProblem, normalizeMac, quoteForMessage,
} from "../../../src/model/untrusted.js";

/** Characters a terminal acts on: C0, DEL, C1, line/paragraph separators, bidi marks and overrides. */
const TERMINAL_ACTIVE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe("bounds", () => {
  test("memory 1 MiB .. 16 TiB, vCPUs up to 4096", () => {
    expect(MEMORY_MIN_BYTES).toBe(1024 ** 2);
    expect(MEMORY_MAX_BYTES).toBe(16 * 1024 ** 4);
    expect(VCPUS_MAX).toBe(4096);
  });
});

describe("guestNameProblem", () => {
  test.each(["debian-12", "Web Server (prod) #2", "vm_01.example.com", "テスト機", "a+b@c:d~e[1],f"])("accepts %j", (name) => {
    expect(guestNameProblem(name)).toBeUndefined();
  });

  test.each([
    ["", /empty/],
    [".hidden", /characters/],
    ["-o", /characters/],
    ["a/b", /characters/],
    ["a\0b", /characters/],
    ["$(reboot)", /characters/],
    ["`id`", /characters/],
    ["a'b", /characters/],
    ['a"b', /characters/],
    ["a<b>&c", /characters/],
    ["a\nb", /characters/],
    ["a\u202eb", /characters/],
    ["x".repeat(GUEST_NAME_MAX_BYTES + 1), /longer than 200 bytes/],
    ["é".repeat(GUEST_NAME_MAX_BYTES / 2 + 1), /longer than 200 bytes/],
  ])("refuses %j", (name, why) => {
    expect(guestNameProblem(name)).toMatch(why);
  });

  test("the name in the sentence is quoted and escaped", () => {
    expect(guestNameProblem("a\x1b[2J\n")).toContain('"a\\u001b[2J\\n"');
  });
});

describe("networkNameProblem", () => {
  test.each(["VM Network", "DSwitch/PG-VLAN60", "br0", "_x", "ネット"])("accepts %j", (name) => {
    expect(networkNameProblem(name)).toBeUndefined();
  });

  test.each([
    ["", /empty/],
    ["-netdev", /not allowed/],
    ["lan;reboot", /not allowed/],
    ["lan$(x)", /not allowed/],
    ["a\tb", /not allowed/],
    ["a&b", /not allowed/],
    ["n".repeat(NETWORK_NAME_MAX_CHARS + 1), /longer than 255/],
  ])("refuses %j", (name, why) => {
    expect(networkNameProblem(name)).toMatch(why);
  });
});

describe("normalizeMac", () => {
  test.each([
    ["00:50:56:AB:CD:EF", "00:50:56:ab:cd:ef"],
    ["00-50-56-ab-cd-ef", "00:50:56:ab:cd:ef"],
    [" 52:54:00:12:34:56 ", "52:54:00:12:34:56"],
  ])("%j -> %j", (raw, mac) => {
    expect(normalizeMac(raw)).toBe(mac);
  });

  test.each(["", "00:50:56:ab:cd", "00:50:56:ab:cd:ef:01", "0050.56ab.cdef", "00:50:56:ab:cd:eg", "00:50:56:ab:cd:ef,id=x", "00:50:56:ab:cd:ef\n-device x"])(
    "refuses %j", (raw) => {
      expect(normalizeMac(raw)).toBeUndefined();
    },
  );

  test("whatever comes in, what comes out is six lower-case hex pairs or undefined", () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const mac = normalizeMac(s);
      return mac === undefined || /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac);
    }));
  });
});

describe("escapeForTerminal", () => {
  test("escapes controls visibly, leaves printable text alone", () => {
    expect(escapeForTerminal("a\nb\tc\rd")).toBe("a\\nb\\tc\\rd");
    expect(escapeForTerminal("\x1b[31m\x07\x7f\x9b")).toBe("\\x1b[31m\\x07\\x7f\\x9b");
    expect(escapeForTerminal("\u202eexe.txt\u2028")).toBe("\\u{202e}exe.txt\\u{2028}");
    expect(escapeForTerminal("日本語 ü 🙂 \"' $`")).toBe("日本語 ü 🙂 \"' $`");
  });

  test("the result has no character a terminal acts on, and escaping again changes nothing", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => {
      const once = escapeForTerminal(s);
      return !TERMINAL_ACTIVE.test(once) && escapeForTerminal(once) === once;
    }));
  });
});

describe("quoteForMessage", () => {
  test("JSON quotes, escaped, cut at 80 characters", () => {
    expect(quoteForMessage('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteForMessage("a\x1bb\u202e")).toBe('"a\\u001bb\\u{202e}"');
    expect(quoteForMessage("x".repeat(100))).toBe(`"${"x".repeat(80)}…"`);
    expect(quoteForMessage("🙂".repeat(81), 80)).toBe(`"${"🙂".repeat(80)}…"`);
  });

  test("always one quoted, terminal-safe token", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => {
      const q = quoteForMessage(s);
      return q.startsWith('"') && q.endsWith('"') && !TERMINAL_ACTIVE.test(q);
    }));
  });
});
