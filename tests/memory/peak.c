/* peak COMMAND [ARGS...]: runs the command, its output to /dev/null, and
 * prints its peak resident memory in bytes (getrusage of the child: a small
 * program forks, so that what the child held before exec counts little),
 * or exits 1 when the command fails. For tests/check_memory.sh. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execvp(argv[1], argv + 1);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return 1;
    printf("%ld\n", ru.ru_maxrss * 1024L);
    return 0;
}
