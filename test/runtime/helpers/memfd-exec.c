/* Test helper: fileless execution. Copies its own executable into a memfd and executes it from
 * there (execveat with AT_EMPTY_PATH), as Falco's event-generator does for "Fileless execution via
 * memfd_create". The re-executed copy sees argv[1] == "child" and exits. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) return 0;
  int fd = memfd_create("triad-memfd", 0);
  int self = open("/proc/self/exe", O_RDONLY);
  if (fd < 0 || self < 0) {
    perror("memfd/open");
    return 1;
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(self, buf, sizeof buf)) > 0)
    if (write(fd, buf, n) != n) return 1;
  char *args[] = {"memfd-child", "child", 0};
  char *env[] = {0};
  syscall(SYS_execveat, fd, "", args, env, AT_EMPTY_PATH);
  perror("execveat");
  return 1;
}
