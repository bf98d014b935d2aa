/* A stand-in for a Windows console program (cmd.exe, notepad.exe, regedit.exe, explorer.exe) in
 * the phony Windows guests. Nothing runs it: libguestfs only reads its PE header to tell the
 * guest's architecture. STUB_NAME makes each program's bytes differ. Built with -nostdlib, so the
 * entry point is stub_main and no C runtime is linked. */
#ifndef STUB_NAME
#define STUB_NAME "program"
#endif

__attribute__((used)) static const char stub_name[] = "v2v-ts phony Windows stub: " STUB_NAME;

int stub_main(void) {
  return (int)sizeof stub_name;
}
