// The first-boot scripts (pure): run order, CRLF, content per Windows version, refusal of values
// from the untrusted guest that do not pass their pattern, and the boot report line.
import { describe, expect, test } from "vitest";
import {
  BOOT_REPORT_MARKER,
  checkedUninstallCommand,
  firstbootScripts,
  parseWindowsBootReport,
  slug,
  windowsPathProblem,
  type FirstbootScriptInputs,
} from "../../../../src/converters/windows/firstboot/scripts.js";
import { V2vError } from "../../../../src/model/errors.js";

const VMWARE = "MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /quiet /norestart REBOOT=ReallySuppress REMOVE=ALL";

const base: FirstbootScriptInputs = {
  osMajor: 10,
  osMinor: 0,
  arch: "x86_64",
  virtioDriversDir: "C:\\Windows\\Drivers\\VirtIO",
  uninstallers: [],
  bootReportSerial: "COM1",
};

const names = (i: FirstbootScriptInputs): string[] => firstbootScripts(i).map((s) => s.name);
const script = (i: FirstbootScriptInputs, prefix: string): string => {
  const s = firstbootScripts(i).find((x) => x.name.startsWith(prefix));
  if (!s) throw new Error(`no script ${prefix}`);
  return s.content;
};

function refused(f: () => unknown, value: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(V2vError);
    expect((e as V2vError).code).toBe("CONVERSION");
    expect((e as V2vError).message).toContain(value);
    expect((e as V2vError).message).not.toContain("\n");
    return;
  }
  throw new Error(`not refused: ${value}`);
}

describe("order and form", () => {
  test("the minimal set: wait for PnP, drivers, boot report", () => {
    expect(names(base)).toEqual(["0100-wait-pnp.ps1", "0200-install-drivers.bat", "9900-boot-report.ps1"]);
  });

  test("everything, in the documented order, and name order is that order", () => {
    const all = names({
      ...base,
      uninstallers: [{ name: "VMware Tools", command: VMWARE }, { name: "Parallels Tools", command: '"C:\\Program Files\\Parallels\\uninst.exe" /S' }],
      qemuGaMsi: "C:\\Program Files\\V2V\\Firstboot\\qemu-ga-x86_64.msi",
      staticIps: [{ mac: "52:54:00:12:34:56", ip: "192.168.1.10", gateway: "192.168.1.1", prefixLength: 24, nameservers: ["192.168.1.1"] }],
    });
    expect(all).toEqual([
      "0100-wait-pnp.ps1",
      "0200-install-drivers.bat",
      "0300-uninstall-vmware-tools.bat",
      "0301-uninstall-parallels-tools.bat",
      "0400-install-qemu-ga.bat",
      "0500-static-ips.ps1",
      "9900-boot-report.ps1",
    ]);
    expect([...all].sort()).toEqual(all);
    for (const n of all) expect(n).toMatch(/^[0-9]{4}-[a-z0-9-]+\.(bat|ps1)$/);
  });

  test("every script is ASCII with CRLF line endings only, ending in one", () => {
    for (const s of firstbootScripts({ ...base, uninstallers: [{ name: "VMware Tools", command: VMWARE }], qemuGaMsi: "C:\\qemu-ga.msi", staticIps: [{ mac: "52-54-00-12-34-56", ip: "10.0.0.5" }] })) {
      expect(s.content.endsWith("\r\n"), s.name).toBe(true);
      expect(s.content.replace(/\r\n/g, ""), s.name).not.toMatch(/[\r\n]/);
      expect(s.content, s.name).toMatch(/^[\x20-\x7e\r\n]*$/);
    }
  });
});

/**
 * A rough PowerShell shape check (no PowerShell here): brackets nest and close, strings and
 * here-strings end. Returns the first problem, or undefined.
 */
function psShapeProblem(text: string): string | undefined {
  const stack: string[] = [];
  const close: Record<string, string> = { ")": "(", "}": "{", "]": "[" };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "#") { i = text.indexOf("\n", i); if (i < 0) break; continue; }
    if (c === "@" && (text[i + 1] === "'" || text[i + 1] === '"') && text[i + 2] === "\r") {
      const end = text.indexOf(`\n${text[i + 1]}@`, i);
      if (end < 0) return `here-string at ${i} does not end`;
      i = end + 2;
      continue;
    }
    if (c === "'") { const end = text.indexOf("'", i + 1); if (end < 0) return `string at ${i} does not end`; i = end; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "`" ? 2 : 1;
      if (j >= text.length) return `string at ${i} does not end`;
      i = j;
      continue;
    }
    if ("({[".includes(c)) stack.push(c);
    else if (c in close && stack.pop() !== close[c]) return `unbalanced ${c} at ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 40), i + 1))}`;
  }
  return stack.length ? `unclosed ${stack.join("")}` : undefined;
}

describe("content per Windows version", () => {
  test.each([[10, 0], [6, 3], [6, 1]])("PowerShell scripts for %i.%i have a sound shape", (osMajor, osMinor) => {
    const all = firstbootScripts({ ...base, osMajor, osMinor, staticIps: [{ mac: "52:54:00:12:34:56", ip: "10.0.0.5", gateway: "10.0.0.1", nameservers: ["10.0.0.1", "10.0.0.2"] }] });
    for (const s of all.filter((x) => x.name.endsWith(".ps1"))) expect(psShapeProblem(s.content), s.name).toBeUndefined();
    expect(psShapeProblem("if ($a) { (1 }")).toMatch(/unbalanced/);
    expect(psShapeProblem("'open")).toMatch(/does not end/);
  });


  test.each([[5, 1], [5, 2]])("NT %i.%i (no PowerShell, pnputil or qemu-ga): only the uninstallers, as .bat", (osMajor, osMinor) => {
    const all = firstbootScripts({ ...base, osMajor, osMinor, qemuGaMsi: "C:\\qemu-ga.msi", uninstallers: [{ name: "VMware Tools", command: "MsiExec.exe /X{11111111-2222-3333-4444-555555555555} /qn" }] });
    expect(all.map((x) => x.name)).toEqual(["0300-uninstall-vmware-tools.bat"]);
    expect(firstbootScripts({ ...base, osMajor, osMinor })).toEqual([]);
  });

  test("Windows 10 / 2016+: pnputil /add-driver ... /install", () => {
    const bat = script(base, "0200");
    expect(bat).toContain('pnputil.exe" /add-driver "C:\\Windows\\Drivers\\VirtIO\\*.inf" /install\r\n');
    expect(bat).not.toContain(" -i -a ");
    expect(bat).toContain('if "%rc%"=="3010" exit /b 3010');
  });

  test.each([[6, 1], [6, 3], [6, 0]])("Windows %i.%i: pnputil -i -a", (osMajor, osMinor) => {
    const bat = script({ ...base, osMajor, osMinor }, "0200");
    expect(bat).toContain('pnputil.exe" -i -a "C:\\Windows\\Drivers\\VirtIO\\*.inf"\r\n');
    expect(bat).not.toContain("/add-driver");
  });

  test("the PnP wait is bounded and never fails", () => {
    const ps = script(base, "0100");
    expect(ps).toContain("CMP_WaitNoPendingInstallEvents");
    expect(ps).toContain("$limit = 300");
    expect(ps.trimEnd().endsWith("exit 0")).toBe(true);
  });

  test("static IPs on 6.2+: New-NetIPAddress and Set-DnsClientServerAddress per MAC", () => {
    const ps = script({
      ...base,
      osMajor: 6,
      osMinor: 2,
      staticIps: [
        { mac: "52:54:00:aa:bb:cc", ip: "192.168.1.10", gateway: "192.168.1.1", prefixLength: 16, nameservers: ["1.1.1.1", "8.8.8.8"] },
        { mac: "52-54-00-AA-BB-CD", ip: "fd00::5" },
      ],
    }, "0500");
    expect(ps).toContain("Find-Adapter '52-54-00-AA-BB-CC'");
    expect(ps).toContain("New-NetIPAddress -InterfaceIndex $a.ifIndex -AddressFamily IPv4 -IPAddress '192.168.1.10' -PrefixLength 16 -DefaultGateway '192.168.1.1'");
    expect(ps).toContain("Set-DnsClientServerAddress -InterfaceIndex $a.ifIndex -ServerAddresses @('1.1.1.1','8.8.8.8')");
    expect(ps).toContain("Find-Adapter '52-54-00-AA-BB-CD'");
    expect(ps).toContain("-AddressFamily IPv6 -IPAddress 'fd00::5' -PrefixLength 64 -ErrorAction Stop");
    expect(ps.match(/Set-DnsClientServerAddress/g)).toHaveLength(1);
  });

  test("static IPs on 6.1: WMI EnableStatic with a netmask, IPv4 only", () => {
    const inputs = { ...base, osMajor: 6, osMinor: 1, staticIps: [{ mac: "52:54:00:aa:bb:cc", ip: "10.1.2.3", gateway: "10.1.0.1", prefixLength: 20, nameservers: ["10.1.0.2"] }] };
    const ps = script(inputs, "0500");
    expect(ps).toContain("Find-Adapter '52:54:00:AA:BB:CC'");
    expect(ps).toContain("EnableStatic(@('10.1.2.3'), @('255.255.240.0'))");
    expect(ps).toContain("SetGateways(@('10.1.0.1'), @([uint16]1))");
    expect(ps).toContain("SetDNSServerSearchOrder(@('10.1.0.2'))");
    expect(ps).not.toContain("New-NetIPAddress");
    refused(() => firstbootScripts({ ...inputs, staticIps: [{ mac: "52:54:00:aa:bb:cc", ip: "fd00::1" }] }), "fd00::1");
  });

  test("no static IP script without static IPs", () => {
    expect(names({ ...base, staticIps: [] })).not.toContain("0500-static-ips.ps1");
  });

  test("uninstallers: the command as given, 3010 passed on, 1605 is success; msiexec gets a log", () => {
    const bat = script({ ...base, uninstallers: [{ name: "VMware Tools", command: VMWARE }] }, "0300");
    expect(bat).toContain(`\r\n${VMWARE} /l*v+ "%~dp0..\\uninstall-vmware-tools.log"\r\n`);
    expect(bat).toContain("exit /b %rc%");
    expect(bat).toContain('if "%rc%"=="1605" exit /b 0');
  });

  test("qemu-ga: msiexec /i ... /qn /norestart", () => {
    const bat = script({ ...base, qemuGaMsi: "C:\\Windows\\Drivers\\VirtIO\\qemu-ga-x86_64.msi" }, "0400");
    expect(bat).toContain('msiexec.exe" /i "C:\\Windows\\Drivers\\VirtIO\\qemu-ga-x86_64.msi" /qn /norestart');
  });

  test("the boot report goes to the chosen port at 115200, with a mode fallback", () => {
    const ps = script({ ...base, bootReportSerial: "COM2" }, "9900");
    expect(ps).toContain("New-Object System.IO.Ports.SerialPort 'COM2', 115200");
    expect(ps).toContain("mode.com\" COM2: BAUD=115200");
    expect(ps).toContain(`$line = "${BOOT_REPORT_MARKER} disk=$disk nic=$nic services=$services"`);
  });
});

describe("refusals of untrusted values", () => {
  test.each([
    ["C:\\Windows\\Drivers\\VirtIO\" & calc & \"", "calc"],
    ["C:\\Windows\\%TEMP%", "%TEMP%"],
    ["C:\\Windows\\..\\x", ".."],
    ["\\\\server\\share", "server"],
    ["C:\\a'b", "a'b"],
    ["C:\\Windows\\Drivers\\VirtIO\r\ncalc", "calc"],
  ])("the drivers folder %j", (dir, shown) => {
    refused(() => firstbootScripts({ ...base, virtioDriversDir: dir }), shown);
  });

  test.each([
    "MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /quiet & calc",
    "MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /quiet | calc",
    "MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B} /quiet",
    "MsiExec.exe /I{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /quiet",
    "MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /i evil.msi",
    "MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /package evil.msi",
    "MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E60}",
    "MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /l*v \"%TEMP%\\x.log\"",
    "MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F}\r\ncalc",
    "MsiExec.exe  /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F}",
    "MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} \"unbalanced",
    "C:\\Program Files\\Xen\\uninst.exe /S",
    "\"C:\\Program Files\\Xen\\uninst.bat\" /S",
    "calc",
    "",
  ])("the uninstall command %j", (command) => {
    refused(() => firstbootScripts({ ...base, uninstallers: [{ name: "VMware Tools", command }] }), "the uninstall");
  });

  test("accepted uninstall commands", () => {
    expect(checkedUninstallCommand('"C:\\Program Files\\Xen PV\\_uninst.exe" /S', "x.log")).toBe('"C:\\Program Files\\Xen PV\\_uninst.exe" /S');
    expect(checkedUninstallCommand("msiexec /x {E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /qn /l*v+ C:\\t.log", "x.log"))
      .toBe("msiexec /x {E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /qn /l*v+ C:\\t.log");
    expect(checkedUninstallCommand("MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /quiet PREVENT_REBOOT=Yes LAUNCHED_BY_SETUP_EXE=Yes", "p.log"))
      .toBe('MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /quiet PREVENT_REBOOT=Yes LAUNCHED_BY_SETUP_EXE=Yes /l*v+ "%~dp0..\\p.log"');
  });

  test("an uninstaller's name only reaches scripts as a slug", () => {
    expect(slug("Red Hat Paravirtualized Xen Drivers for Windows(R)")).toBe("red-hat-paravirtualized-xen-drivers-for");
    expect(slug("\" & calc & \"")).toBe("calc");
    expect(slug("&&&")).toBe("tools");
    const s = firstbootScripts({ ...base, uninstallers: [{ name: "x\r\n& calc %PATH%", command: VMWARE }] })[2]!;
    expect(s.name).toBe("0300-uninstall-x-calc-path.bat");
    expect(s.content).not.toContain("%PATH%");
  });

  test.each([
    [{ mac: "52:54:00:12:34", ip: "10.0.0.1" }, "52:54:00:12:34"],
    [{ mac: "52:54:00:12:34:5g", ip: "10.0.0.1" }, "5g"],
    [{ mac: "52:54:00:12:34:56'", ip: "10.0.0.1" }, "56'"],
    [{ mac: "52:54:00:12:34:56", ip: "10.0.0.256" }, "10.0.0.256"],
    [{ mac: "52:54:00:12:34:56", ip: "10.0.0.1'; calc; '" }, "calc"],
    [{ mac: "52:54:00:12:34:56", ip: "fe80::1%eth0" }, "fe80::1%eth0"],
    [{ mac: "52:54:00:12:34:56", ip: "10.0.0.1", gateway: "gw" }, "gw"],
    [{ mac: "52:54:00:12:34:56", ip: "10.0.0.1", nameservers: ["8.8.8.8", "$(calc)"] }, "$(calc)"],
    [{ mac: "52:54:00:12:34:56", ip: "10.0.0.1", prefixLength: 33 }, "33"],
    [{ mac: "52:54:00:12:34:56", ip: "10.0.0.1", prefixLength: 1.5 }, "1.5"],
  ])("the static IP %j", (ip, shown) => {
    refused(() => firstbootScripts({ ...base, staticIps: [ip] }), shown);
  });

  test("other inputs", () => {
    refused(() => firstbootScripts({ ...base, qemuGaMsi: "C:\\qemu-ga.exe" }), "qemu-ga.exe");
    refused(() => firstbootScripts({ ...base, qemuGaMsi: "C:\\x\" /i \"y.msi" }), "y.msi");
    refused(() => firstbootScripts({ ...base, bootReportSerial: "COM1 & calc" }), "COM1 & calc");
    refused(() => firstbootScripts({ ...base, bootReportSerial: "LPT1" }), "LPT1");
    refused(() => firstbootScripts({ ...base, osMajor: -1 }), "-1");
    refused(() => firstbootScripts({ ...base, osMinor: 0.5 }), "0.5");
    refused(() => firstbootScripts({ ...base, arch: "arm64" as never }), "arm64");
  });

  test("windowsPathProblem", () => {
    expect(windowsPathProblem("C:\\Program Files (x86)\\V2V+\\a_b-c.1")).toBeUndefined();
    expect(windowsPathProblem("C:\\a\\")).toBeDefined();
    expect(windowsPathProblem("C:\\a.\\b")).toBeDefined();
    expect(windowsPathProblem(`C:\\${"a".repeat(200)}`)).toBe("longer than 200 characters");
    expect(windowsPathProblem("C:\\\u00e9")).toBeDefined();
  });
});

describe("parseWindowsBootReport", () => {
  test("a full line", () => {
    expect(parseWindowsBootReport("V2V-BOOT-REPORT disk=viostor nic=netkvm services=balloon,netkvm,qemu-ga,viostor\r")).toEqual({
      disk: "viostor",
      nic: "netkvm",
      services: ["balloon", "netkvm", "qemu-ga", "viostor"],
    });
  });

  test("serial noise before the marker, an empty service list", () => {
    expect(parseWindowsBootReport("\x1b[0m\x00garbage V2V-BOOT-REPORT disk=unknown nic=none services=")).toEqual({ disk: "unknown", nic: "none", services: [] });
  });

  test.each([
    "booting...",
    "V2V-BOOT-REPORT disk=viostor nic=netkvm",
    "V2V-BOOT-REPORT disk=viostor nic=netkvm services=a,,b",
    "V2V-BOOT-REPORT disk=viostor nic=netkvm services=a, b",
    "V2V-BOOT-REPORT disk=VioStor nic=netkvm services=",
    "V2V-BOOT-REPORT disk= nic=netkvm services=",
    "V2V-BOOT-REPORT disk=viostor nic=netkvm services=x extra",
  ])("not a report: %j", (line) => {
    expect(parseWindowsBootReport(line)).toBeUndefined();
  });
});
