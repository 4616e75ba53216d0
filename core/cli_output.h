/* cli_output: puts the command's output (a report for -o, a partial summary
 * for --partial) where the user named it, whole or not at all, without
 * surprises: a regular file is replaced by renaming a complete temporary
 * file over it, keeping its permissions; a symbolic link is followed to its
 * target, which is written (the link stays); a device or a pipe is written
 * through (-o /dev/null stays a device); a directory, or one of the
 * command's own input files, is refused with a message. */
#ifndef FC_CLI_OUTPUT_H
#define FC_CLI_OUTPUT_H

#include <stddef.h>

/* Writes len bytes of text to path. inputs[0..ninputs-1] are the command's
 * input files (the scenario, the partials): the output may not land on one
 * of them. Returns 0; -1 with the reason in err (no file changed); -2 when
 * the command was asked to stop before the output was in place (nothing
 * changed, see cli_watch.h). */
int fc_output_write(const char *path, const char *text, size_t len, const char *const *inputs,
                    int ninputs, char *err, size_t errlen);

/* Writes n files (names[i], plain names, with texts[i] of lens[i] bytes)
 * into the folder dir, all or none: every target is checked first (a
 * regular file or none, not an input file), then every file is written in
 * a new folder (inside dir when it exists, else beside it); a dir that did
 * not exist is that folder renamed, one that did has each file replaced
 * whole, and the names whose texts[i] is NULL removed (a table this report
 * has not), its other files kept. Returns as fc_output_write. */
int fc_output_write_files(const char *dir, const char *const *names, const char *const *texts,
                          const size_t *lens, int n, const char *const *inputs, int ninputs, char *err,
                          size_t errlen);

#endif
