/*
 * v2vfirstboot.exe: the first-boot service v2v installs into converted Windows guests.
 * Written for this project; built with mingw-w64 by scripts/build-windows-tools.sh.
 *
 * As a service (how v2v registers it in the SYSTEM hive, src/converters/windows/firstboot/install.ts):
 *   name "v2v-firstboot", own process (Type 0x10), automatic start (Start 2), LocalSystem.
 *   On start it reports SERVICE_RUNNING at once, then works in its service thread:
 *
 *   1. DIR is the directory of this .exe. Every regular file in DIR\scripts\ runs, one at a
 *      time, in name order (case-insensitive; v2v names them NNNN-what.ext so that name order
 *      is run order):
 *        .bat, .cmd  %SystemRoot%\System32\cmd.exe /c "FILE"
 *        .ps1        ...\WindowsPowerShell\v1.0\powershell.exe -NoProfile -NonInteractive
 *                    -ExecutionPolicy Bypass -File "FILE"
 *      A file with any other extension is not run; it counts as failed.
 *      The working directory is DIR; stdin is NUL (a "pause" reads end of file, never blocks);
 *      stdout and stderr are appended to DIR\log.txt. Each script has SCRIPT_TIMEOUT_MS; a script
 *      still running then is killed with everything it started (a job object) and counts as failed.
 *   2. Before and after each script a line goes to DIR\log.txt, with the local time:
 *        2026-12-02 01:02:03 start 0200-drivers.bat
 *        2026-12-02 01:02:09 end 0200-drivers.bat: exit code 3010 (ok, reboot required)
 *      Exit codes 0 and 3010 (ERROR_SUCCESS_REBOOT_REQUIRED) are success.
 *   3. A script that succeeded is moved to DIR\scripts-done\NAME. A script that failed (any other
 *      exit code, a timeout, or a start failure) is moved too, to DIR\scripts-done\NAME.failed,
 *      and the log says so: first boot cannot ask anyone what to do, and a script left in place
 *      would run (and probably fail) again at every boot, forever. Its log lines and the
 *      .failed file stay for whoever looks at the guest later. If even the move fails, the
 *      script is deleted, for the same reason.
 *   4. At the end, when DIR\scripts\ is empty, the service deletes its own registration
 *      (DeleteService).
 *   5. If any script exited 3010, the machine reboots once, 10 seconds later
 *      (InitiateSystemShutdownEx, after enabling SeShutdownPrivilege, which LocalSystem holds
 *      but does not enable by default). The scripts are in scripts-done by then, so the next
 *      boot does not run them, nor reboot again.
 *   6. Then, still when DIR\scripts\ is empty, log.txt is copied to
 *      %SystemRoot%\Logs\v2v-firstboot.log (DIR is about to go) and DIR with everything in it
 *      is scheduled for deletion at the next boot (MoveFileEx with MOVEFILE_DELAY_UNTIL_REBOOT:
 *      this .exe is still running). When scripts\ is not empty (a script could be neither moved
 *      nor deleted), the service stays registered and runs what is left at the next boot.
 *   A stop or shutdown request from the service control manager kills the running script
 *   (it stays in scripts\ and runs again at the next boot) and ends the service; nothing is
 *   unregistered then.
 *
 * Console mode, for tests:  v2vfirstboot.exe --run-once DIR
 *   Steps 1 to 3 on DIR, without the service control manager, unregistration, reboot or removal.
 *   Prints one summary line; exits 0 when every script succeeded, 1 otherwise (and on bad usage).
 *
 * Wide-character (-municode) Win32 code; only kernel32 and advapi32; no third-party code.
 */
#ifndef UNICODE
#define UNICODE
#endif
#ifndef _UNICODE
#define _UNICODE
#endif
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdarg.h>
#include <stdlib.h>
#include <wchar.h>

#define SERVICE_NAME L"v2v-firstboot"
#define SCRIPT_TIMEOUT_MS (30u * 60u * 1000u) /* 30 minutes: driver installs and uninstallers can be slow */
#define REBOOT_DELAY_S 10u
#define EXIT_REBOOT_REQUIRED 3010u
#define MAX_SCRIPTS 512
#define PATH_CHARS 1024

enum outcome { RUN_OK, RUN_OK_REBOOT, RUN_FAILED, RUN_STOPPED };

struct summary {
  unsigned ran, failed;
  BOOL reboot;  /* some script exited 3010 */
  BOOL stopped; /* the SCM asked us to stop */
};

static SERVICE_STATUS_HANDLE g_status_handle;
static SERVICE_STATUS g_status;
static HANDLE g_stop_event; /* set by the control handler on stop/shutdown; NULL in console mode */
static BOOL g_console;

/* ---- small string helpers -------------------------------------------------------------- */

/* dst = a + b (+ c), truncated safely; returns FALSE when it did not fit. */
static BOOL join3(wchar_t *dst, size_t cap, const wchar_t *a, const wchar_t *b, const wchar_t *c) {
  int n = _snwprintf(dst, cap, L"%ls%ls%ls", a, b, c ? c : L"");
  dst[cap - 1] = L'\0';
  return n >= 0 && (size_t)n < cap;
}

static const wchar_t *extension(const wchar_t *name) {
  const wchar_t *dot = wcsrchr(name, L'.');
  return dot ? dot : L"";
}

/* ---- log ---------------------------------------------------------------------------- */

static wchar_t g_log_path[PATH_CHARS];

/* Append bytes to log.txt (opened for each write, so a script's own output can go in between). */
static void log_bytes(const char *bytes, DWORD len) {
  HANDLE h = CreateFileW(g_log_path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                         OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) return;
  DWORD written;
  WriteFile(h, bytes, len, &written, NULL);
  CloseHandle(h);
}

/* One log line: local time, then the formatted text, as UTF-8 with CRLF. Echoed to stdout in console mode. */
static void log_line(const wchar_t *fmt, ...) {
  wchar_t text[2048];
  SYSTEMTIME t;
  GetLocalTime(&t);
  int n = _snwprintf(text, 64, L"%04u-%02u-%02u %02u:%02u:%02u ", t.wYear, t.wMonth, t.wDay, t.wHour,
                     t.wMinute, t.wSecond);
  if (n < 0) n = 0;
  va_list ap;
  va_start(ap, fmt);
  int m = _vsnwprintf(text + n, 2048 - n - 3, fmt, ap);
  va_end(ap);
  if (m < 0) m = 2048 - n - 3; /* truncated */
  text[n + m] = L'\r';
  text[n + m + 1] = L'\n';
  text[n + m + 2] = L'\0';
  char utf8[6144];
  int len = WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8, sizeof utf8, NULL, NULL);
  if (len <= 1) return;
  log_bytes(utf8, (DWORD)(len - 1));
  if (g_console) {
    DWORD written;
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), utf8, (DWORD)(len - 1), &written, NULL);
  }
}

/* ---- the scripts ------------------------------------------------------------------------ */

/* Script names, shared by run_all and scripts_dir_empty (one thread uses them, one after the other). */
static wchar_t g_names[MAX_SCRIPTS][MAX_PATH];

static int compare_names(const void *a, const void *b) {
  return _wcsicmp((const wchar_t *)a, (const wchar_t *)b);
}

/* Names of the regular files in dir, sorted; returns how many (at most MAX_SCRIPTS). */
static int list_scripts(const wchar_t *dir, wchar_t (*names)[MAX_PATH]) {
  wchar_t pattern[PATH_CHARS];
  if (!join3(pattern, PATH_CHARS, dir, L"\\*", NULL)) return 0;
  WIN32_FIND_DATAW fd;
  HANDLE find = FindFirstFileW(pattern, &fd);
  if (find == INVALID_HANDLE_VALUE) return 0;
  int count = 0;
  do {
    if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) continue;
    if (count == MAX_SCRIPTS) break;
    wcsncpy(names[count], fd.cFileName, MAX_PATH - 1);
    names[count][MAX_PATH - 1] = L'\0';
    count++;
  } while (FindNextFileW(find, &fd));
  FindClose(find);
  qsort(names, (size_t)count, sizeof names[0], compare_names);
  return count;
}

/* The command line for a script, or FALSE for an extension we do not run. */
static BOOL command_for(const wchar_t *path, wchar_t *cmd, size_t cap) {
  wchar_t sys[MAX_PATH];
  UINT n = GetSystemDirectoryW(sys, MAX_PATH);
  if (n == 0 || n >= MAX_PATH) return FALSE;
  const wchar_t *ext = extension(path);
  int r;
  if (_wcsicmp(ext, L".bat") == 0 || _wcsicmp(ext, L".cmd") == 0)
    /* cmd /c strips the outer pair of quotes, so the path keeps its own: ""C:\a b\x.bat"" */
    r = _snwprintf(cmd, cap, L"\"%ls\\cmd.exe\" /c \"\"%ls\"\"", sys, path);
  else if (_wcsicmp(ext, L".ps1") == 0)
    r = _snwprintf(cmd, cap,
                   L"\"%ls\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoProfile -NonInteractive "
                   L"-ExecutionPolicy Bypass -File \"%ls\"",
                   sys, path);
  else
    return FALSE;
  cmd[cap - 1] = L'\0';
  return r >= 0 && (size_t)r < cap;
}

/* Run one script to its end (or timeout, or stop request); *code gets its exit code. */
static enum outcome run_script(const wchar_t *dir, const wchar_t *path, const wchar_t *name, DWORD *code) {
  static wchar_t cmd[PATH_CHARS * 2];
  *code = 0;
  if (!command_for(path, cmd, sizeof cmd / sizeof cmd[0])) {
    log_line(L"skip %ls: not a .bat, .cmd or .ps1 file", name);
    return RUN_FAILED;
  }
  SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
  HANDLE out = CreateFileW(g_log_path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                           OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  HANDLE in = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING,
                          FILE_ATTRIBUTE_NORMAL, NULL);
  STARTUPINFOW si;
  ZeroMemory(&si, sizeof si);
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = in;
  si.hStdOutput = out;
  si.hStdError = out;
  PROCESS_INFORMATION pi;
  /* A job, so that a timeout kills what the script started too (msiexec children, powershell). */
  HANDLE job = CreateJobObjectW(NULL, NULL);
  BOOL started = CreateProcessW(NULL, cmd, NULL, NULL, TRUE, CREATE_NO_WINDOW | CREATE_SUSPENDED, NULL, dir,
                                &si, &pi);
  DWORD err = GetLastError();
  if (out != INVALID_HANDLE_VALUE) CloseHandle(out);
  if (in != INVALID_HANDLE_VALUE) CloseHandle(in);
  if (!started) {
    if (job) CloseHandle(job);
    log_line(L"end %ls: could not start it (Windows error %lu): %ls", name, (unsigned long)err, cmd);
    return RUN_FAILED;
  }
  BOOL in_job = job && AssignProcessToJobObject(job, pi.hProcess);
  ResumeThread(pi.hThread);
  CloseHandle(pi.hThread);

  HANDLE waits[2] = {pi.hProcess, g_stop_event};
  DWORD w = WaitForMultipleObjects(g_stop_event ? 2 : 1, waits, FALSE, SCRIPT_TIMEOUT_MS);
  enum outcome result;
  if (w == WAIT_OBJECT_0) {
    GetExitCodeProcess(pi.hProcess, code);
    result = *code == 0 ? RUN_OK : *code == EXIT_REBOOT_REQUIRED ? RUN_OK_REBOOT : RUN_FAILED;
    log_line(L"end %ls: exit code %lu (%ls)", name, (unsigned long)*code,
             result == RUN_OK ? L"ok" : result == RUN_OK_REBOOT ? L"ok, reboot required" : L"failed");
  } else {
    if (in_job) TerminateJobObject(job, 1);
    else TerminateProcess(pi.hProcess, 1);
    WaitForSingleObject(pi.hProcess, 10000);
    if (w == WAIT_OBJECT_0 + 1) {
      log_line(L"end %ls: killed, the service is stopping; it runs again at the next boot", name);
      result = RUN_STOPPED;
    } else {
      log_line(L"end %ls: killed after %u minutes without finishing", name, SCRIPT_TIMEOUT_MS / 60000u);
      result = RUN_FAILED;
    }
  }
  CloseHandle(pi.hProcess);
  if (job) CloseHandle(job);
  return result;
}

/* Move a finished script out of scripts\ so that it never runs again. */
static void retire(const wchar_t *path, const wchar_t *done_dir, const wchar_t *name, BOOL failed) {
  wchar_t dest[PATH_CHARS];
  if (join3(dest, PATH_CHARS, done_dir, L"\\", name) && wcslen(dest) + 8 <= PATH_CHARS) {
    if (failed) wcscat(dest, L".failed");
    if (MoveFileExW(path, dest, MOVEFILE_REPLACE_EXISTING | MOVEFILE_COPY_ALLOWED)) {
      if (failed) log_line(L"moved %ls to scripts-done\\%ls.failed: it does not run again", name, name);
      return;
    }
  }
  DWORD err = GetLastError();
  if (DeleteFileW(path))
    log_line(L"could not move %ls to scripts-done (Windows error %lu); deleted it so that it does not run again",
             name, (unsigned long)err);
  else
    log_line(L"could not move nor delete %ls (Windows error %lu); it will run again at the next boot", name,
             (unsigned long)GetLastError());
}

/* Steps 1-3 of the header: run every script in dir\scripts, in name order. */
static void run_all(const wchar_t *dir, struct summary *s) {
  wchar_t (*names)[MAX_PATH] = g_names;
  wchar_t scripts[PATH_CHARS], done[PATH_CHARS], path[PATH_CHARS];
  ZeroMemory(s, sizeof *s);
  if (!join3(scripts, PATH_CHARS, dir, L"\\scripts", NULL) || !join3(done, PATH_CHARS, dir, L"\\scripts-done", NULL))
    return;
  CreateDirectoryW(done, NULL); /* usually there already */
  int count = list_scripts(scripts, names);
  log_line(L"v2v first boot: %d script(s) in %ls", count, scripts);
  for (int i = 0; i < count; i++) {
    if (g_stop_event && WaitForSingleObject(g_stop_event, 0) == WAIT_OBJECT_0) {
      s->stopped = TRUE;
      break;
    }
    if (!join3(path, PATH_CHARS, scripts, L"\\", names[i])) continue;
    log_line(L"start %ls", names[i]);
    DWORD code;
    enum outcome r = run_script(dir, path, names[i], &code);
    if (r == RUN_STOPPED) {
      s->stopped = TRUE;
      break;
    }
    s->ran++;
    if (r == RUN_FAILED) s->failed++;
    if (r == RUN_OK_REBOOT) s->reboot = TRUE;
    retire(path, done, names[i], r == RUN_FAILED);
  }
}

/* ---- service-only steps 4 to 6 ------------------------------------------------------------- */

static BOOL scripts_dir_empty(const wchar_t *dir) {
  wchar_t scripts[PATH_CHARS];
  return join3(scripts, PATH_CHARS, dir, L"\\scripts", NULL) && list_scripts(scripts, g_names) == 0;
}

static void unregister_self(void) {
  SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
  SC_HANDLE svc = scm ? OpenServiceW(scm, SERVICE_NAME, DELETE) : NULL;
  if (svc && DeleteService(svc)) log_line(L"deleted the service %ls", SERVICE_NAME);
  else log_line(L"could not delete the service %ls (Windows error %lu)", SERVICE_NAME, (unsigned long)GetLastError());
  if (svc) CloseServiceHandle(svc);
  if (scm) CloseServiceHandle(scm);
}

/* Schedule dir's files, then its subdirectories' files and the subdirectories, then dir, for deletion at boot. */
static void delete_at_reboot(const wchar_t *dir, int depth) {
  wchar_t pattern[PATH_CHARS], path[PATH_CHARS];
  if (depth > 2 || !join3(pattern, PATH_CHARS, dir, L"\\*", NULL)) return;
  WIN32_FIND_DATAW fd;
  HANDLE find = FindFirstFileW(pattern, &fd);
  if (find != INVALID_HANDLE_VALUE) {
    do {
      if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0) continue;
      if (!join3(path, PATH_CHARS, dir, L"\\", fd.cFileName)) continue;
      if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) delete_at_reboot(path, depth + 1);
      else MoveFileExW(path, NULL, MOVEFILE_DELAY_UNTIL_REBOOT);
    } while (FindNextFileW(find, &fd));
    FindClose(find);
  }
  /* A directory is removed at boot only if it is empty then: its files are listed before it. */
  MoveFileExW(dir, NULL, MOVEFILE_DELAY_UNTIL_REBOOT);
}

static void keep_log(void) {
  wchar_t win[MAX_PATH], logs[PATH_CHARS], dest[PATH_CHARS];
  UINT n = GetSystemWindowsDirectoryW(win, MAX_PATH);
  if (n == 0 || n >= MAX_PATH || !join3(logs, PATH_CHARS, win, L"\\Logs", NULL) ||
      !join3(dest, PATH_CHARS, logs, L"\\v2v-firstboot.log", NULL))
    return;
  CreateDirectoryW(logs, NULL);
  if (CopyFileW(g_log_path, dest, FALSE)) log_line(L"log copied to %ls", dest);
}

static void reboot(void) {
  HANDLE token;
  if (OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token)) {
    TOKEN_PRIVILEGES tp;
    tp.PrivilegeCount = 1;
    tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
    if (LookupPrivilegeValueW(NULL, SE_SHUTDOWN_NAME, &tp.Privileges[0].Luid))
      AdjustTokenPrivileges(token, FALSE, &tp, 0, NULL, NULL);
    CloseHandle(token);
  }
  static wchar_t message[] = L"v2v first boot: a script asked for a reboot to finish installing";
  if (InitiateSystemShutdownExW(NULL, message, REBOOT_DELAY_S, TRUE, TRUE,
                                SHTDN_REASON_MAJOR_APPLICATION | SHTDN_REASON_MINOR_INSTALLATION |
                                    SHTDN_REASON_FLAG_PLANNED))
    log_line(L"rebooting in %u seconds (a script exited 3010)", REBOOT_DELAY_S);
  else
    log_line(L"could not reboot (Windows error %lu); a script exited 3010: reboot this machine",
             (unsigned long)GetLastError());
}

/* ---- service plumbing ----------------------------------------------------------------------- */

static void set_state(DWORD state) {
  g_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  g_status.dwCurrentState = state;
  g_status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
  g_status.dwWin32ExitCode = NO_ERROR;
  g_status.dwWaitHint = state == SERVICE_STOP_PENDING ? 15000 : 0;
  SetServiceStatus(g_status_handle, &g_status);
}

static DWORD WINAPI control_handler(DWORD control, DWORD type, LPVOID data, LPVOID context) {
  (void)type;
  (void)data;
  (void)context;
  if (control == SERVICE_CONTROL_STOP || control == SERVICE_CONTROL_SHUTDOWN) {
    set_state(SERVICE_STOP_PENDING);
    SetEvent(g_stop_event);
    return NO_ERROR;
  }
  return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
}

/* DIR: this executable's directory. */
static BOOL own_dir(wchar_t *dir, DWORD cap) {
  DWORD n = GetModuleFileNameW(NULL, dir, cap);
  if (n == 0 || n >= cap) return FALSE;
  wchar_t *slash = wcsrchr(dir, L'\\');
  if (!slash) return FALSE;
  *slash = L'\0';
  return TRUE;
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv) {
  (void)argc;
  (void)argv;
  g_status_handle = RegisterServiceCtrlHandlerExW(SERVICE_NAME, control_handler, NULL);
  if (!g_status_handle) return;
  g_stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  set_state(SERVICE_RUNNING);

  wchar_t dir[PATH_CHARS];
  if (own_dir(dir, PATH_CHARS) && join3(g_log_path, PATH_CHARS, dir, L"\\log.txt", NULL)) {
    struct summary s;
    run_all(dir, &s);
    log_line(L"ran %u script(s), %u failed%ls", s.ran, s.failed, s.stopped ? L"; stopped before the end" : L"");
    if (!s.stopped) {
      BOOL finished = scripts_dir_empty(dir);
      if (finished) unregister_self();
      if (s.reboot) reboot(); /* 10 s from now: time enough for the two steps below */
      if (finished) {
        keep_log(); /* the last line of the copy says where it went */
        delete_at_reboot(dir, 0);
      }
    }
  }
  set_state(SERVICE_STOPPED);
}

static int usage(void) {
  static const char text[] = "usage: v2vfirstboot.exe --run-once DIR  (runs DIR\\scripts\\*, logs to DIR\\log.txt)\r\n"
                             "without arguments it must be started as the v2v-firstboot service\r\n";
  DWORD written;
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), text, sizeof text - 1, &written, NULL);
  return 1;
}

int wmain(int argc, wchar_t **argv) {
  if (argc == 3 && wcscmp(argv[1], L"--run-once") == 0) {
    g_console = TRUE;
    wchar_t dir[PATH_CHARS];
    DWORD n = GetFullPathNameW(argv[2], PATH_CHARS, dir, NULL);
    if (n == 0 || n >= PATH_CHARS) return usage();
    size_t len = wcslen(dir);
    if (len > 3 && dir[len - 1] == L'\\') dir[len - 1] = L'\0';
    DWORD attrs = GetFileAttributesW(dir);
    if (attrs == INVALID_FILE_ATTRIBUTES || !(attrs & FILE_ATTRIBUTE_DIRECTORY) ||
        !join3(g_log_path, PATH_CHARS, dir, L"\\log.txt", NULL))
      return usage();
    struct summary s;
    run_all(dir, &s);
    log_line(L"ran %u script(s), %u failed%ls", s.ran, s.failed, s.reboot ? L", reboot required" : L"");
    return s.failed == 0 ? 0 : 1;
  }
  if (argc != 1) return usage();
  static wchar_t name[] = SERVICE_NAME;
  SERVICE_TABLE_ENTRYW table[] = {{name, service_main}, {NULL, NULL}};
  if (!StartServiceCtrlDispatcherW(table)) return usage(); /* not started by the SCM */
  return 0;
}
