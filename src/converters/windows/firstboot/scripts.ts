// The scripts a converted Windows guest runs once at its first boot on KVM (pure). The service
// (service.c, installed by install.ts) runs every file of its scripts\ folder in name order, so
// each name starts with a four-digit priority: name order is run order.
//
//   0100-wait-pnp.ps1         wait (at most 300 s) until Plug and Play has no installation pending
//   0200-install-drivers.bat  pnputil: the virtio drivers v2v copied, on every device they match
//   03NN-uninstall-NAME.bat   the other hypervisor's tools, one script each (3010 = done, reboot)
//   0400-install-qemu-ga.bat  the QEMU guest agent MSI, when the converter found one
//   0500-static-ips.ps1       static IP addresses per MAC, only when some are given
//   9900-boot-report.ps1      one line for the QE harness on the serial port (parseWindowsBootReport)
//
// Every value put into a script comes from the guest's registry or from the command line, and the
// guest is untrusted: each is checked against a strict pattern first (no quotes, no %, no
// metacharacters of cmd.exe or PowerShell), and anything else is refused with V2vError
// "CONVERSION" naming the value. Scripts are ASCII with CRLF line endings.
import { isIPv4, isIPv6 } from "node:net";
import { V2vError } from "../../../model/errors.js";
import { quoteForMessage } from "../../../model/untrusted.js";

export interface FirstbootScript {
  /** File name in scripts\ ("0200-install-drivers.bat"): NNNN-[a-z0-9-]+.(bat|ps1). */
  readonly name: string;
  /** The script's text, CRLF line endings. */
  readonly content: string;
}

/** One uninstaller, as the converter found it in the guest's SOFTWARE hive (untrusted). */
export interface FirstbootUninstaller {
  /** What it removes ("VMware Tools"); only a lowercase slug of it reaches the file name. */
  readonly name: string;
  /**
   * The command line to run: `MsiExec.exe /X{GUID} /quiet /norestart REBOOT=ReallySuppress …`, or
   * a Windows path to an .exe (quoted when it has spaces) with arguments. Arguments are plain
   * tokens (letters, digits, _ / = . * + : { } , \ -) or double-quoted ones without " and %.
   * An msiexec command without a log option gets `/l*v+` to FirstbootDir\uninstall-SLUG.log.
   */
  readonly command: string;
}

/** A static address for the adapter with this MAC (virt-v2v's `--mac MAC:ip:IP,GW,LEN,NS…`). */
export interface FirstbootStaticIp {
  /** Six hex pairs separated by ":" or "-". */
  readonly mac: string;
  /** IPv4 or IPv6 address (no zone, no prefix). */
  readonly ip: string;
  readonly gateway?: string;
  /** Prefix length; default 24 for IPv4, 64 for IPv6. */
  readonly prefixLength?: number;
  readonly nameservers?: readonly string[];
}

export interface FirstbootScriptInputs {
  /** Windows version (NT major.minor: 6.1 = 7/2008 R2, 10.0 = 10/11/2016+). */
  readonly osMajor: number;
  readonly osMinor: number;
  readonly arch: "x86_64" | "i386";
  /** Where the converter copied the virtio drivers, e.g. "C:\\Windows\\Drivers\\VirtIO". */
  readonly virtioDriversDir: string;
  readonly uninstallers: readonly FirstbootUninstaller[];
  /** Windows path of the qemu-ga MSI copied into the guest, if any. */
  readonly qemuGaMsi?: string;
  readonly staticIps?: readonly FirstbootStaticIp[];
  /** Serial port for the boot report: "COM1". */
  readonly bootReportSerial: string;
}

/** The first word of the boot report line. */
export const BOOT_REPORT_MARKER = "V2V-BOOT-REPORT";

/**
 * Services and drivers the boot report lists when they are running (lowercase): virtio drivers
 * and agents that should be, the other hypervisor's that should not, and the first-boot service.
 */
export const BOOT_REPORT_SERVICES: readonly string[] = [
  // virtio-win drivers and agents
  "viostor", "vioscsi", "netkvm", "balloon", "viorng", "vioser", "pvpanic", "fwcfg", "qemufwcfg",
  "viosock", "viofs", "vioinput", "viogpudo", "qemu-ga", "balloonservice",
  // VMware Tools and VMware virtual hardware drivers
  "vmtools", "vgauthservice", "vm3dservice", "vmci", "vmhgfs", "vmmouse", "vmusbmouse", "vmmemctl",
  "vmxnet", "vmxnet3ndis6", "pvscsi", "vmrawdsk", "vsock",
  // ourselves
  "v2v-firstboot",
];

// ---- validation of interpolated values ----------------------------------------------------

const refuse = (what: string, value: unknown, rule: string): V2vError =>
  new V2vError("CONVERSION", `first-boot scripts: refusing ${what} ${quoteForMessage(String(value))}: ${rule}; check the guest's registry on the source hypervisor`);

const GUID = "\\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\\}";
/** One path component: letters, digits, space and _ . ( ) + - ; not only dots, not ending in space or dot. */
const COMPONENT = /^(?!\.+$)[A-Za-z0-9 _.()+-]*[A-Za-z0-9_()+-]$/;
const BARE_ARG = /^[A-Za-z0-9_/=.*+:{},\\-]+$/;
const QUOTED_ARG = /^"[A-Za-z0-9 _.:\\(),{}+=*/-]+"$/;

/** A Windows absolute path "X:\a\b" made of plain components, at most 200 characters; else why not. */
export function windowsPathProblem(path: string): string | undefined {
  if (path.length > 200) return "longer than 200 characters";
  const m = /^[A-Za-z]:\\(.+)$/.exec(path);
  if (!m) return "not an absolute path like C:\\Windows\\Drivers";
  const bad = m[1]!.split("\\").find((c) => !COMPONENT.test(c));
  return bad === undefined ? undefined : `the part ${quoteForMessage(bad)} has characters that are not allowed (letters, digits, space and _ . ( ) + - only)`;
}

function checkedPath(what: string, path: string, suffix?: RegExp): string {
  const problem = windowsPathProblem(path) ?? (suffix && !suffix.test(path) ? `not a ${suffix.source.replace(/[\\$]/g, "")} file` : undefined);
  if (problem) throw refuse(what, path, problem);
  return path;
}

/** The MAC as Windows shows it: "52-54-00-12-34-56" (Get-NetAdapter) — callers reformat for WMI. */
function checkedMac(mac: string): string[] {
  if (!/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/.test(mac)) throw refuse("the MAC address", mac, "six hex pairs separated by : or - expected");
  return mac.toUpperCase().split(/[:-]/);
}

function checkedIp(what: string, ip: string): { ip: string; v6: boolean } {
  // isIPv6 accepts zone ids ("fe80::1%eth0"); the character classes exclude them.
  if (isIPv4(ip) && /^[0-9.]+$/.test(ip)) return { ip, v6: false };
  if (isIPv6(ip) && /^[0-9A-Fa-f:.]+$/.test(ip)) return { ip, v6: true };
  throw refuse(what, ip, "not an IPv4 or IPv6 address");
}

/** A lowercase [a-z0-9-] slug of a display name, for file names and log lines (at most 40 chars). */
export function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return s === "" ? "tools" : s;
}

/**
 * Check an uninstall command (see FirstbootUninstaller.command) and return it with an MSI log
 * option added when msiexec has none. Throws CONVERSION naming the command otherwise.
 */
export function checkedUninstallCommand(command: string, logName: string): string {
  const no = (rule: string): V2vError => refuse("the uninstall command", command, rule);
  if (command.length > 1000) throw no("longer than 1000 characters");
  // Tokens: "quoted strings" or runs of non-spaces; exactly one space between them.
  const tokens = command.match(/"[^"]*"|[^ "]+/g) ?? [];
  if (tokens.join(" ") !== command) throw no("tokens must be separated by single spaces, quotes balanced");
  const [program, ...args] = tokens;
  if (program === undefined) throw no("empty");
  for (const a of args) if (!BARE_ARG.test(a) && !QUOTED_ARG.test(a)) throw no(`the argument ${quoteForMessage(a)} has characters that are not allowed`);
  if (/^msiexec(\.exe)?$/i.test(program)) {
    // msiexec may only remove one product by its GUID; every other argument must be a UI, restart
    // or log option, or an uppercase PUBLIC_PROPERTY=value.
    let guids = 0;
    let logged = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (new RegExp(`^/[Xx]${GUID}$`).test(a)) guids++;
      else if (/^\/[Xx]$/.test(a) && new RegExp(`^${GUID}$`).test(args[i + 1] ?? "")) { guids++; i++; }
      else if (/^\/(quiet|qn|qn\+|qb|qb-|qb!|passive|norestart|promptrestart)$/i.test(a)) continue;
      else if (/^\/[Ll][iwearucmopvx*+!]*$/.test(a)) {
        logged = true;
        if (args[i + 1] !== undefined && !args[i + 1]!.startsWith("/") && !args[i + 1]!.includes("=")) i++; // its file
      } else if (/^[A-Z_][A-Z0-9_]*=[A-Za-z0-9_.]*$/.test(a)) continue;
      else throw no(`msiexec may only remove a product (/X{GUID}) with UI, restart, log and PROPERTY=value options; not ${quoteForMessage(a)}`);
    }
    if (guids !== 1) throw no("msiexec must remove exactly one product by its GUID (/X{...})");
    return logged ? command : `${command} /l*v+ "%~dp0..\\${logName}"`;
  }
  const exe = program.startsWith('"') ? program.slice(1, -1) : program;
  checkedPath("the uninstaller program", exe, /\.exe$/i);
  if (!program.startsWith('"') && exe.includes(" ")) throw no("a program path with spaces must be quoted");
  return command;
}

function checkedVersion(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 99) throw refuse(what, n, "an integer 0..99 expected");
  return n;
}

// ---- the scripts ------------------------------------------------------------------------------

const crlf = (lines: readonly string[]): string => `${lines.join("\r\n")}\r\n`;

function waitPnp(): FirstbootScript {
  return {
    name: "0100-wait-pnp.ps1",
    content: crlf([
      "# v2v first boot: wait until Plug and Play has no device installation pending (at most 300 s),",
      "# so that the scripts after this one find the new virtio devices installed. A timeout is not an error.",
      "$limit = 300",
      "$start = Get-Date",
      "$waited = $false",
      "try {",
      "  Add-Type -TypeDefinition @'",
      "using System.Runtime.InteropServices;",
      "public static class V2vPnp {",
      "  [DllImport(\"cfgmgr32.dll\")]",
      "  public static extern uint CMP_WaitNoPendingInstallEvents(uint timeoutMs);",
      "}",
      "'@",
      "  $r = [V2vPnp]::CMP_WaitNoPendingInstallEvents($limit * 1000)",
      "  # 0: nothing pending (WAIT_OBJECT_0); 258: still busy (WAIT_TIMEOUT)",
      "  if ($r -eq 0) { Write-Output 'Plug and Play: no installation pending' }",
      "  else { Write-Output \"Plug and Play: still busy after $limit s (code $r); carrying on\" }",
      "  $waited = $true",
      "} catch {",
      "  Write-Output \"CMP_WaitNoPendingInstallEvents is not usable ($($_.Exception.Message)); waiting for drvinst.exe to end instead\"",
      "}",
      "if (-not $waited) {",
      "  while ((((Get-Date) - $start).TotalSeconds -lt $limit) -and (Get-Process -Name drvinst -ErrorAction SilentlyContinue)) {",
      "    Start-Sleep -Seconds 2",
      "  }",
      "}",
      "exit 0",
    ]),
  };
}

function installDrivers(inputs: FirstbootScriptInputs, dir: string): FirstbootScript {
  // Windows 10 / Server 2016 and later: "pnputil /add-driver ... /install"; Vista to 8.1 only know
  // the older "-i -a" spelling (10 still accepts it, but prints a deprecation notice).
  const pnputil = inputs.osMajor >= 10
    ? `"%SystemRoot%\\System32\\pnputil.exe" /add-driver "${dir}\\*.inf" /install`
    : `"%SystemRoot%\\System32\\pnputil.exe" -i -a "${dir}\\*.inf"`;
  return {
    name: "0200-install-drivers.bat",
    content: crlf([
      "@echo off",
      "rem v2v first boot: install the virtio drivers v2v copied into the guest on every device they match.",
      "rem pnputil's exit code is only logged: it is non-zero when some driver matches no device here",
      "rem (a balloon driver without a balloon device...), which is normal. 3010 asks for a reboot.",
      pnputil,
      "set rc=%ERRORLEVEL%",
      "echo pnputil exit code %rc%",
      "if \"%rc%\"==\"3010\" exit /b 3010",
      "exit /b 0",
    ]),
  };
}

function uninstall(u: FirstbootUninstaller, index: number): FirstbootScript {
  const name = slug(u.name);
  const command = checkedUninstallCommand(u.command, `uninstall-${name}.log`);
  return {
    name: `${String(300 + index).padStart(4, "0")}-uninstall-${name}.bat`,
    content: crlf([
      "@echo off",
      `rem v2v first boot: uninstall ${name} (the previous hypervisor's software).`,
      "rem Exit code 3010: removed, a reboot finishes it (the service reboots once at the end).",
      "rem Exit code 1605: the product is not installed any more, which is what we want.",
      command,
      "set rc=%ERRORLEVEL%",
      `echo ${name} uninstaller exit code %rc%`,
      "if \"%rc%\"==\"1605\" exit /b 0",
      "exit /b %rc%",
    ]),
  };
}

function installQemuGa(msi: string): FirstbootScript {
  return {
    name: "0400-install-qemu-ga.bat",
    content: crlf([
      "@echo off",
      "rem v2v first boot: install the QEMU guest agent. The service reboots once at the end on 3010.",
      `"%SystemRoot%\\System32\\msiexec.exe" /i "${msi}" /qn /norestart /l*v "%~dp0..\\qemu-ga-install.log"`,
      "set rc=%ERRORLEVEL%",
      "echo msiexec exit code %rc%",
      "exit /b %rc%",
    ]),
  };
}

function prefixToMask(len: number): string {
  const bits = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join(".");
}

function staticIps(inputs: FirstbootScriptInputs, ips: readonly FirstbootStaticIp[]): FirstbootScript {
  // Windows 8 / 2012 (6.2) and later have the NetTCPIP and DnsClient cmdlets; 6.0 and 6.1 use WMI,
  // which sets IPv4 addresses only.
  const modern = inputs.osMajor > 6 || (inputs.osMajor === 6 && inputs.osMinor >= 2);
  const lines = [
    "# v2v first boot: static IP addresses for the adapters with these MACs (they may appear only",
    "# after the virtio network driver is installed: each is waited for, 300 s in all).",
    "$deadline = (Get-Date).AddSeconds(300)",
    "$failed = 0",
  ];
  if (modern) {
    lines.push(
      "function Find-Adapter([string]$mac) {",
      "  do {",
      "    $a = Get-NetAdapter -ErrorAction SilentlyContinue | Where-Object { $_.MacAddress -eq $mac } | Select-Object -First 1",
      "    if ($a) { return $a }",
      "    Start-Sleep -Seconds 5",
      "  } while ((Get-Date) -lt $deadline)",
      "  return $null",
      "}",
    );
  } else {
    lines.push(
      "function Find-Adapter([string]$mac) {",
      "  do {",
      "    $a = Get-WmiObject Win32_NetworkAdapterConfiguration -Filter \"MACAddress='$mac'\" | Select-Object -First 1",
      "    if ($a) { return $a }",
      "    Start-Sleep -Seconds 5",
      "  } while ((Get-Date) -lt $deadline)",
      "  return $null",
      "}",
    );
  }
  for (const s of ips) {
    const pairs = checkedMac(s.mac);
    const { ip, v6 } = checkedIp("the static IP address", s.ip);
    const len = s.prefixLength ?? (v6 ? 64 : 24);
    if (!Number.isInteger(len) || len < 0 || len > (v6 ? 128 : 32)) throw refuse("the prefix length", len, `an integer 0..${v6 ? 128 : 32} expected`);
    const gw = s.gateway === undefined ? undefined : checkedIp("the gateway", s.gateway).ip;
    const dns = (s.nameservers ?? []).map((n) => checkedIp("the name server", n).ip);
    if (!modern && (v6 || (gw !== undefined && isIPv6(gw)))) {
      throw refuse("the static IPv6 address", s.ip, "IPv6 needs Windows 8 / Server 2012 or later in the guest");
    }
    const mac = pairs.join(modern ? "-" : ":");
    const dnsList = dns.map((n) => `'${n}'`).join(",");
    lines.push("", `# ${mac}: ${ip}/${len}${gw ? ` via ${gw}` : ""}${dns.length ? `, DNS ${dns.join(" ")}` : ""}`, "try {", `  $a = Find-Adapter '${mac}'`,
      `  if (-not $a) { throw 'no network adapter with MAC ${mac}' }`);
    if (modern) {
      const family = v6 ? "IPv6" : "IPv4";
      lines.push(
        `  Set-NetIPInterface -InterfaceIndex $a.ifIndex -AddressFamily ${family} -Dhcp Disabled -ErrorAction Stop`,
        `  New-NetIPAddress -InterfaceIndex $a.ifIndex -AddressFamily ${family} -IPAddress '${ip}' -PrefixLength ${len}${gw ? ` -DefaultGateway '${gw}'` : ""} -ErrorAction Stop | Out-Null`,
      );
      if (dns.length) lines.push(`  Set-DnsClientServerAddress -InterfaceIndex $a.ifIndex -ServerAddresses @(${dnsList}) -ErrorAction Stop`);
    } else {
      // WMI methods return 0 (done) or 1 (done, reboot needed); anything else failed.
      lines.push(
        `  $r = $a.EnableStatic(@('${ip}'), @('${prefixToMask(len)}')).ReturnValue`,
        "  if ($r -gt 1) { throw \"EnableStatic returned $r\" }",
      );
      if (gw) lines.push(`  $r = $a.SetGateways(@('${gw}'), @([uint16]1)).ReturnValue`, "  if ($r -gt 1) { throw \"SetGateways returned $r\" }");
      if (dns.length) lines.push(`  $r = $a.SetDNSServerSearchOrder(@(${dnsList})).ReturnValue`, "  if ($r -gt 1) { throw \"SetDNSServerSearchOrder returned $r\" }");
    }
    lines.push(`  Write-Output '${mac}: ${ip}/${len} set'`, "} catch {", `  Write-Output "${mac}: $($_.Exception.Message)"`, "  $failed++", "}");
  }
  lines.push("", "if ($failed -gt 0) { exit 1 }", "exit 0");
  return { name: "0500-static-ips.ps1", content: crlf(lines) };
}

function bootReport(port: string): FirstbootScript {
  const relevant = BOOT_REPORT_SERVICES.map((s) => `'${s}'`).join(",");
  return {
    name: "9900-boot-report.ps1",
    content: crlf([
      "# v2v first boot, last script: one line on the serial port for the QE harness, saying what this",
      "# boot runs on:",
      `#   ${BOOT_REPORT_MARKER} disk=<driver service of the system disk's controller> nic=<driver service of the`,
      "#   first connected network adapter> services=<running services and drivers of interest, comma-separated>",
      "# Values are lowercase; 'unknown' or 'none' when not found. Nothing here may stop the report.",
      "try {",
      "  Add-Type -TypeDefinition @'",
      "using System.Runtime.InteropServices;",
      "using System.Text;",
      "public static class V2vDevTree {",
      "  [DllImport(\"cfgmgr32.dll\", CharSet = CharSet.Unicode)]",
      "  static extern int CM_Locate_DevNodeW(out uint devInst, string id, int flags);",
      "  [DllImport(\"cfgmgr32.dll\")]",
      "  static extern int CM_Get_Parent(out uint parent, uint devInst, int flags);",
      "  [DllImport(\"cfgmgr32.dll\", CharSet = CharSet.Unicode)]",
      "  static extern int CM_Get_Device_IDW(uint devInst, StringBuilder buf, int len, int flags);",
      "  public static string Parent(string id) {",
      "    uint dev, parent;",
      "    if (CM_Locate_DevNodeW(out dev, id, 0) != 0) return null;",
      "    if (CM_Get_Parent(out parent, dev, 0) != 0) return null;",
      "    StringBuilder sb = new StringBuilder(1024);",
      "    if (CM_Get_Device_IDW(parent, sb, sb.Capacity, 0) != 0) return null;",
      "    return sb.ToString();",
      "  }",
      "}",
      "'@",
      "} catch { Write-Output \"Add-Type: $($_.Exception.Message); the disk's controller will be unknown\" }",
      "function Clean([string]$s) { if (-not $s) { return 'unknown' }; return ($s.ToLower() -replace '[^a-z0-9_.-]', '_') }",
      "function Service-Of([string]$id) {",
      "  $p = Get-ItemProperty -LiteralPath \"HKLM:\\SYSTEM\\CurrentControlSet\\Enum\\$id\" -Name Service -ErrorAction SilentlyContinue",
      "  if ($p) { return [string]$p.Service }",
      "  return ''",
      "}",
      "",
      "# The system disk: its PnP device, then up the device tree to the first parent whose driver is",
      "# not the generic disk class driver (viostor, vioscsi, storahci, atapi...).",
      "$disk = 'unknown'",
      "try {",
      "  $sys = $env:SystemDrive",
      "  $drive = $null",
      "  foreach ($part in Get-WmiObject -Query \"ASSOCIATORS OF {Win32_LogicalDisk.DeviceID='$sys'} WHERE AssocClass=Win32_LogicalDiskToPartition\") {",
      "    foreach ($d in Get-WmiObject -Query \"ASSOCIATORS OF {Win32_DiskPartition.DeviceID='$($part.DeviceID)'} WHERE AssocClass=Win32_DiskDriveToDiskPartition\") {",
      "      if (-not $drive) { $drive = $d }",
      "    }",
      "  }",
      "  $id = $null",
      "  if ($drive) { $id = [string]$drive.PNPDeviceID }",
      "  for ($i = 0; $id -and $i -lt 4; $i++) {",
      "    $svc = Service-Of $id",
      "    if ($svc -and $svc -ne 'disk' -and $svc -ne 'partmgr') { $disk = Clean $svc; break }",
      "    $id = [V2vDevTree]::Parent($id)",
      "  }",
      "} catch { Write-Output \"system disk: $($_.Exception.Message)\" }",
      "",
      "# The first connected adapter (NetConnectionStatus 2), waiting up to 60 s for one.",
      "$nic = 'none'",
      "$until = (Get-Date).AddSeconds(60)",
      "do {",
      "  $a = Get-WmiObject Win32_NetworkAdapter -Filter 'NetConnectionStatus=2' | Sort-Object Index | Select-Object -First 1",
      "  if ($a) { $nic = Clean $a.ServiceName; break }",
      "  Start-Sleep -Seconds 3",
      "} while ((Get-Date) -lt $until)",
      "",
      `$relevant = @(${relevant})`,
      "$running = @()",
      "$running += Get-WmiObject Win32_Service -Filter \"State='Running'\" | ForEach-Object { $_.Name.ToLower() }",
      "$running += Get-WmiObject Win32_SystemDriver -Filter \"State='Running'\" | ForEach-Object { $_.Name.ToLower() }",
      "$services = ($running | Where-Object { $relevant -contains $_ } | Sort-Object -Unique) -join ','",
      "",
      `$line = "${BOOT_REPORT_MARKER} disk=$disk nic=$nic services=$services"`,
      "Write-Output $line",
      "$sent = $false",
      "try {",
      `  $port = New-Object System.IO.Ports.SerialPort '${port}', 115200, 'None', 8, 'One'`,
      "  $port.Open()",
      "  $port.Write(\"`r`n$line`r`n\")",
      "  $port.Close()",
      "  $sent = $true",
      "} catch { Write-Output \"SerialPort: $($_.Exception.Message); trying mode and cmd.exe\" }",
      "if (-not $sent) {",
      `  & \"$env:SystemRoot\\System32\\mode.com\" ${port}: BAUD=115200 PARITY=N DATA=8 STOP=1 | Out-Null`,
      "  # The redirection comes first, so that a digit at the end of the line is not read as a handle.",
      `  & \"$env:SystemRoot\\System32\\cmd.exe\" /c \">${port} echo $line\"`,
      "  $sent = ($LASTEXITCODE -eq 0)",
      "}",
      "if ($sent) { exit 0 }",
      "exit 1",
    ]),
  };
}

/**
 * The first-boot scripts for one guest, in run order (their names sort in that order). Throws
 * V2vError "CONVERSION" naming any value that does not pass its pattern.
 */
export function firstbootScripts(inputs: FirstbootScriptInputs): FirstbootScript[] {
  checkedVersion(inputs.osMajor, "the Windows major version");
  checkedVersion(inputs.osMinor, "the Windows minor version");
  if (inputs.arch !== "x86_64" && inputs.arch !== "i386") throw refuse("the architecture", inputs.arch, "x86_64 or i386 expected");
  const dir = checkedPath("the virtio drivers folder", inputs.virtioDriversDir);
  if (!/^COM[1-9]$/.test(inputs.bootReportSerial)) throw refuse("the serial port", inputs.bootReportSerial, "COM1 to COM9 expected");
  if (inputs.uninstallers.length > 99) throw refuse("the number of uninstallers", inputs.uninstallers.length, "at most 99");

  if (inputs.osMajor < 6) {
    // XP and 2003 have no PowerShell, pnputil or qemu-ga: only the uninstallers run (PnP finds
    // the drivers through DevicePath by itself), and the boot report is not written.
    const scripts = inputs.uninstallers.map(uninstall);
    checkScripts(scripts);
    return scripts;
  }
  const scripts = [waitPnp(), installDrivers(inputs, dir), ...inputs.uninstallers.map(uninstall)];
  if (inputs.qemuGaMsi !== undefined) scripts.push(installQemuGa(checkedPath("the qemu-ga installer", inputs.qemuGaMsi, /\.msi$/i)));
  if (inputs.staticIps && inputs.staticIps.length > 0) scripts.push(staticIps(inputs, inputs.staticIps));
  scripts.push(bootReport(inputs.bootReportSerial));
  checkScripts(scripts);
  return scripts;
}

/** Our own invariants (the inputs were checked before): plain ASCII, unique names. */
function checkScripts(scripts: readonly FirstbootScript[]): void {
  const names = new Set<string>();
  for (const s of scripts) {
    if (!/^[\x20-\x7e\r\n]*$/.test(s.content) || names.has(s.name)) throw new Error(`first-boot script ${s.name}: not plain ASCII or a duplicate name`);
    names.add(s.name);
  }
}

export interface WindowsBootReport {
  /** Driver service of the system disk's controller ("viostor", "vioscsi", "storahci", "unknown"). */
  readonly disk: string;
  /** Driver service of the first connected network adapter ("netkvm", "e1iexpress", "none"). */
  readonly nic: string;
  /** Running services and drivers of interest (BOOT_REPORT_SERVICES), sorted, lowercase. */
  readonly services: readonly string[];
}

/**
 * Read the boot report from one line of the guest's serial output; undefined when the line holds
 * no well-formed report. Serial noise before the marker is ignored; the line must end after the
 * services (a trailing \r is dropped).
 */
export function parseWindowsBootReport(line: string): WindowsBootReport | undefined {
  const at = line.lastIndexOf(`${BOOT_REPORT_MARKER} `);
  if (at < 0) return undefined;
  const word = "[a-z0-9_.-]+";
  const m = new RegExp(`^${BOOT_REPORT_MARKER} disk=(${word}) nic=(${word}) services=((?:[a-z0-9_.-]+(?:,[a-z0-9_.-]+)*)?)$`)
    .exec(line.slice(at).replace(/[\r\n]+$/, ""));
  if (!m) return undefined;
  return { disk: m[1]!, nic: m[2]!, services: m[3] ? m[3].split(",") : [] };
}
