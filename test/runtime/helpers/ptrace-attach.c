/* Test helper for the agent's end-to-end tests: attaches to a child with PTRACE_ATTACH (what
 * Falco's event-generator does for "PTRACE attached to process"), then detaches and exits. */
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  pid_t child = fork();
  if (child == 0) {
    pause();
    return 0;
  }
  usleep(100000);
  if (ptrace(PTRACE_ATTACH, child, 0, 0) != 0) {
    perror("ptrace attach");
    kill(child, SIGKILL);
    return 1;
  }
  waitpid(child, 0, 0);
  ptrace(PTRACE_DETACH, child, 0, 0);
  kill(child, SIGKILL);
  waitpid(child, 0, 0);
  return 0;
}
