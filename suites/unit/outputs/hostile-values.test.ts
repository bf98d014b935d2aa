// Hostile values (names, paths, network names, MAC-looking strings) fed to every renderer: the qemu
// script must hand qemu exactly the argv v2v meant (run by /bin/sh with a stub qemu on PATH), the
// libvirt XML must be well-formed (libxml2's xmllint) and parse back to the same values, the JSON too.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runAllowFail } from "../../../src/host/exec.js";
import { renderJsonMeta } from "../../../src/outputs/json/json-meta.js";
import { renderLibvirtXml } from "../../../src/outputs/common/libvirt-xml.js";
import { qemuArgs, renderQemuScript } from "../../../src/outputs/qemu/qemu-script.js";
import type { TargetMeta } from "../../../src/model/types.js";
import { biosVirtio, uefiGuest } from "./meta-fixtures.js";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "v2v-hostile-"));
  // NUL-terminated: an argument may hold newlines, never a NUL.
  writeFileSync(join(dir, "qemu-system-x86_64"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done\n', { mode: 0o755 });
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** Values an OVF, a guest or a user could put in a name or path; `PWNED` becomes a file in the test dir. */
const HOSTILE: readonly string[] = [
  `it's "quoted"`,
  "$(touch PWNED)",
  "`touch PWNED`",
  "a; touch PWNED; #",
  "' ; touch PWNED ; '",
  "line1\nline2\n# touch PWNED",
  "a,b",
  "a,,b,",
  ",file=/etc/shadow,format=raw",
  "key=value",
  "-device virtio-net-pci,netdev=evil",
  "x]]>y",
  "&amp;&lt;&#10;",
  "<!-- comment --><evil/>",
  "\u202egnp.exe \u2066bidi\u2069",
  "tab\there\rcr\r\nlf",
  "\x1b[2J\x07\x7f\x9b",
  "${HOME} * ~ ? [a] \\ %s %n",
  "日本語 ü 🙂",
  " leading and trailing ",
  "",
];

/** XML 1.0 has no way to write most C0 controls, even as references: those values must be refused instead. */
const XML_CANNOT = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

/** Split a qemu option string as QemuOpts does: "," separates, ",," is a literal comma. */
function parseQemuOpts(s: string): [string, string][] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ",") {
      if (s[i + 1] === ",") {
        cur += ",";
        i++;
      } else {
        parts.push(cur);
        cur = "";
      }
    } else cur += s[i];
  }
  parts.push(cur);
  return parts.map((p) => {
    const eq = p.indexOf("=");
    return eq === -1 ? [p, ""] : [p.slice(0, eq), p.slice(eq + 1)];
  });
}

function hostileMeta(value: string, base: () => TargetMeta = biosVirtio): TargetMeta {
  const m = base();
  return {
    ...m,
    name: value,
    disks: m.disks.map((d, i) => ({ ...d, path: `${dir}/${value}-sd${"abcd"[i]}` })),
    nics: m.nics.map((n) => ({ ...n, networkName: value })),
  };
}

const withPwned = (v: string): string => v.replaceAll("PWNED", join(dir, "pwned"));

describe("qemu script: qemu receives exactly the intended argv", () => {
  test.each(HOSTILE.map((v) => [JSON.stringify(v), v] as const))("%s", async (_label, raw) => {
    const value = withPwned(raw);
    const meta = hostileMeta(value, uefiGuest);
    const uefi = { code: `${dir}/${value}-CODE.fd`, vars: `${dir}/${value}-VARS.fd` };
    const script = join(dir, "guest.sh");
    writeFileSync(script, renderQemuScript(meta, { version: "t", accel: "tcg", uefi }));
    chmodSync(script, 0o755);
    const r = await runAllowFail([script], { env: { PATH: `${dir}:/usr/bin:/bin`, V2V_ACCEL: undefined, V2V_HEADLESS: undefined }, timeoutMs: 10_000 });
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
    const argv = r.stdout.split("\0").slice(0, -1);
    expect(argv).toEqual([...qemuArgs(meta, uefi).flat(), "-accel", "tcg"]);

    // Independently of the renderer: each option holds only the keys v2v meant, with the value intact.
    const optionsOf = (flag: string): [string, string][][] =>
      argv.flatMap((a, i) => (i > 0 && argv[i - 1] === flag ? [parseQemuOpts(a)] : []));
    expect(optionsOf("-name")).toEqual([[["guest", value]]]);
    expect(argv[argv.indexOf("-name") + 1]).toBe(`guest=${value.replaceAll(",", ",,")}`);
    const drives = optionsOf("-drive");
    expect(drives.map((o) => o.map(([k]) => k))).toEqual([
      ["if", "format", "unit", "readonly", "file"], ["if", "format", "unit", "file"], ["file", "format", "if", "id", "media"],
    ]);
    expect(drives.map((o) => o.find(([k]) => k === "file")?.[1])).toEqual([uefi.code, uefi.vars, meta.disks[0]!.path]);
    expect(argv.filter((a) => a === "-device")).toHaveLength(meta.nics.length + meta.disks.length + 2);
  });

  test("the comment line stays one line and shows the name escaped", () => {
    const text = renderQemuScript(hostileMeta("x\n/bin/touch pwned\r\x1b[2J"), { version: "t", accel: "tcg" });
    expect(text.split("\n")[1]).toBe("# generated by v2v-ts t: boots the converted guest x\\n/bin/touch pwned\\r\\x1b[2J with qemu.");
  });

  test("MAC-looking strings: only six hex pairs reach -device ...,mac=", () => {
    const withMac = (mac: string): TargetMeta => ({ ...biosVirtio(), nics: biosVirtio().nics.map((n) => ({ ...n, mac })) });
    const argv = qemuArgs(withMac("00:50:56:AA:bb:cc"), undefined).flat();
    expect(argv).toContain("virtio-net-pci,netdev=net0,mac=00:50:56:AA:bb:cc");
    for (const bad of ["00:50:56:aa:bb:cc,id=x", "00:50:56:aa:bb:cc\n-device e1000", "00:50:56:aa:bb", "00-50-56-aa-bb-cc", "zz:50:56:aa:bb:cc", ""]) {
      expect(() => renderQemuScript(withMac(bad), { version: "t", accel: "tcg" })).toThrow(/not six hex pairs/);
    }
  });

  test("a NUL anywhere cannot be put in a shell script: a programming error, thrown", () => {
    expect(() => renderQemuScript(hostileMeta("a\0b"), { version: "t", accel: "tcg" })).toThrow(/NUL/);
  });

  test("relative paths (which qemu could read as a protocol, e.g. nbd:) are refused", () => {
    const m = biosVirtio();
    const rel = { ...m, disks: m.disks.map((d) => ({ ...d, path: "nbd:evil.example:10809" })) };
    expect(() => renderQemuScript(rel, { version: "t", accel: "tcg" })).toThrow(/not an absolute path/);
  });
});

describe("libvirt XML: well-formed, and parses back to the same values", () => {
  const parser = new XMLParser({
    ignoreAttributes: false, attributeNamePrefix: "@_", parseTagValue: false, parseAttributeValue: false,
    trimValues: false, htmlEntities: true, isArray: (name) => name === "disk" || name === "interface",
  });
  const xpath = async (file: string, expr: string): Promise<string> => {
    const r = await runAllowFail(["xmllint", "--xpath", expr, file], { timeoutMs: 10_000 });
    expect(r.exitCode).toBe(0);
    return r.stdout.replace(/\n$/, "");
  };

  test.each(HOSTILE.filter((v) => !XML_CANNOT.test(v)).map((v) => [JSON.stringify(v), v] as const))("%s", async (_label, value) => {
    const meta = hostileMeta(value, uefiGuest);
    const ovmf = { code: `/fw/${value}-CODE.fd`, vars: `/fw/${value}-VARS.fd` };
    const xml = renderLibvirtXml(meta, { version: "t", ovmf });
    expect(XMLValidator.validate(xml)).toBe(true);
    const file = join(dir, "guest.xml");
    writeFileSync(file, xml);
    const lint = await runAllowFail(["xmllint", "--noout", file], { timeoutMs: 10_000 });
    expect(lint.stderr).toBe("");
    expect(lint.exitCode).toBe(0);
    // libxml2 (what libvirt uses) normalises attribute white space and CR: the references must survive it.
    expect(await xpath(file, "string(/domain/name)")).toBe(value);
    expect(await xpath(file, "string(/domain/devices/disk[1]/source/@file)")).toBe(meta.disks[0]!.path);

    const doc = parser.parse(xml) as { domain: Record<string, unknown> };
    const d = doc.domain as {
      name: string;
      os: { loader: { "#text": string }; nvram: { "@_template": string } };
      devices: { disk: { source: { "@_file": string } }[] };
    };
    expect(String(d.name)).toBe(value === "" ? "" : value);
    expect(d.os.loader["#text"]).toBe(ovmf.code);
    expect(d.os.nvram["@_template"]).toBe(ovmf.vars);
    expect(d.devices.disk.map((x) => x.source["@_file"])).toEqual(meta.disks.map((x) => x.path));
  });

  test("a bridge name comes back from its attribute intact", async () => {
    for (const value of HOSTILE.filter((v) => !XML_CANNOT.test(v))) {
      const xml = renderLibvirtXml(hostileMeta(value), { version: "t" });
      const doc = parser.parse(xml) as { domain: { devices: { interface: { source: Record<string, string> }[] } } };
      expect(doc.domain.devices.interface[0]!.source["@_bridge"]).toBe(value);
    }
  });

  test("characters XML cannot carry (NUL, other C0 controls, lone surrogates, U+FFFF) are a programming error, thrown", () => {
    for (const bad of ["a\0b", "a\x01b", "\x1b[2J", "a\ud800b", "a\udc00", "a\uffffb"]) {
      expect(() => renderLibvirtXml(hostileMeta(bad), { version: "t" })).toThrow(/cannot represent/);
    }
  });
});

describe("JSON: parses back to the same values", () => {
  test.each([...HOSTILE, "a\0b", "a\ud800b"].map((v) => [JSON.stringify(v), v] as const))("%s", (_label, value) => {
    const meta = hostileMeta(value);
    const doc = JSON.parse(renderJsonMeta(meta, { version: "t" })) as { name: string; disks: { path: string }[]; nics: { vnet: string }[] };
    expect(doc.name).toBe(value);
    expect(doc.disks.map((x) => x.path)).toEqual(meta.disks.map((x) => x.path));
    expect(doc.nics.map((x) => x.vnet)).toEqual([value]);
  });
});
