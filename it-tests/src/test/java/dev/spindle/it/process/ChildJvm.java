package dev.spindle.it.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test classes in a fresh JVM with chosen options, and captures what it prints. */
final class ChildJvm {
    record Result(int exitCode, String out) {
    }

    private ChildJvm() {
    }

    static String agentJar() {
        return Path.of(System.getProperty("spindle.agent.jar")).toAbsolutePath().toString();
    }

    /** The test class path without the agent jar (so a JVM started with it has no agent class at hand). */
    static String classPathWithoutAgent() {
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("spindle-agent")) kept.add(entry);
        }
        return String.join(File.pathSeparator, kept);
    }

    static String jacocoAgentJar() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("org.jacoco.agent") && e.endsWith("runtime.jar"))
                .findFirst().orElseThrow(() -> new IllegalStateException("JaCoCo agent jar not on the class path"));
    }

    static Result run(List<String> jvmOptions, String classPath, Class<?> main, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(main.getName());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("child JVM did not finish: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
