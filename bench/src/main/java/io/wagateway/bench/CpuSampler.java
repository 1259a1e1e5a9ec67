package io.wagateway.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time from /proc, sampled at the start and end of a measured window. The service's CPU
 * seconds per 1,000 webhooks is the figure that carries across machines (unlike latency, which
 * depends on how many cores are free); the harness's own and PostgreSQL's CPU are context, since
 * all three share the same cores.
 */
final class CpuSampler {

    /** One reading; ticks are clock ticks (CLK_TCK a second), -1 when not available. */
    record Sample(long nanos, long serviceTicks, long harnessTicks, long postgresTicks, long machineBusy,
                  long machineTotal) {}

    private final long servicePid;
    private final long postmasterPid;
    final long clockTicks;

    CpuSampler(long servicePid, long postmasterPid) {
        this.servicePid = servicePid;
        this.postmasterPid = postmasterPid;
        this.clockTicks = clockTicks();
    }

    Sample sample() {
        long[] machine = machine();
        return new Sample(System.nanoTime(), servicePid > 0 ? ticks(Path.of("/proc", Long.toString(servicePid), "stat")) : -1,
                ticks(Path.of("/proc/self/stat")), postgres(), machine[0], machine[1]);
    }

    double seconds(long ticks) {
        return ticks / (double) clockTicks;
    }

    /**
     * utime + stime (fields 14 and 15 of /proc/pid/stat). The command name (field 2) may contain
     * spaces and parentheses, so fields are counted after its closing parenthesis.
     */
    static long ticks(Path stat) {
        String[] fields = statFields(stat);
        if (fields == null) {
            return -1;
        }
        // fields[0] is field 3 (state), so field n is fields[n - 3]
        return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    }

    private static String[] statFields(Path stat) {
        try {
            String text = Files.readString(stat);
            return text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Sum over the server's processes: the postmaster (--pg-pid) and its children (backends,
     * background workers); without --pg-pid, every process named "postgres" on the machine. Best
     * effort: a backend that exits between two samples takes its ticks with it, which the
     * service's long-lived pool connections do not.
     */
    private long postgres() {
        long sum = 0;
        boolean found = false;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isPid(p.getFileName().toString()))) {
            for (Path proc : procs) {
                try {
                    String text = Files.readString(proc.resolve("stat"));
                    int open = text.indexOf('(');
                    int close = text.lastIndexOf(')');
                    if (open < 0 || close < 0 || !"postgres".equals(text.substring(open + 1, close))) {
                        continue;
                    }
                    String[] fields = text.substring(close + 2).trim().split(" ");
                    long pid = Long.parseLong(text.substring(0, open).trim());
                    long parent = Long.parseLong(fields[4 - 3]);
                    if (postmasterPid > 0 && pid != postmasterPid && parent != postmasterPid) {
                        continue; // another PostgreSQL server (e.g. a test's embedded one)
                    }
                    sum += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    found = true;
                } catch (IOException | RuntimeException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return found ? sum : -1;
    }

    private static boolean isPid(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return !name.isEmpty();
    }

    /** {busy, total} jiffies of the whole machine from the first line of /proc/stat. */
    private static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100; // the Linux default (USER_HZ)
        }
    }
}
