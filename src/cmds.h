/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Subcommands, dispatched from the table in main.c. */
#ifndef MT_CMDS_H
#define MT_CMDS_H

int do_run(int argc, char **argv);
void usage_run(void);
int do_check(int argc, char **argv);
void usage_check(void);
int do_layout(int argc, char **argv);
void usage_layout(void);
int do_addr(int argc, char **argv);
void usage_addr(void);

#endif /* MT_CMDS_H */
