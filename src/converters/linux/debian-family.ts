// The one list of libguestfs distro names (inspect-get-distro) that make up the Debian family.
// "kalilinux" is what libguestfs reports; "kali" is kept for os-release IDs seen by other tools.
export const DEBIAN_FAMILY: ReadonlySet<string> = new Set(["debian", "ubuntu", "linuxmint", "kalilinux", "kali"]);
