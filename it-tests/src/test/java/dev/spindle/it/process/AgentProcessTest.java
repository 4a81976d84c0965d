package dev.spindle.it.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent as a user starts it: on the command line with options, by self-attach, next to JaCoCo, or missing. */
class AgentProcessTest {
    private static final String OK = "result=321 expected=321 suspensions=3";

    @Test
    void verboseListsEveryInstrumentedMethod() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("-javaagent:" + ChildJvm.agentJar() + "=verbose"),
                ChildJvm.classPathWithoutAgent(), ChainProgram.class);
        assertTrue(r.out().contains(OK), r.out());
        for (String method : List.of("outer", "middle", "inner")) {
            assertTrue(r.out().contains("instrumented dev.spindle.it.process.ChainProgram." + method), r.out());
        }
        // a plain method is rewritten too when it calls suspendable ones: it gets a check after each call
        assertTrue(r.out().contains("instrumented dev.spindle.it.process.ChainProgram.main([Ljava/lang/String;)V"
                + " (not suspendable: checked after its 1 call of suspendable methods)"), r.out());
    }

    @Test
    void withoutOptionsTheAgentIsQuiet() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("-javaagent:" + ChildJvm.agentJar()),
                ChildJvm.classPathWithoutAgent(), ChainProgram.class);
        assertEquals(OK, r.out().strip());
    }

    @Test
    void withoutTheAgentTheFirstCoroutineSaysHowToAddIt() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of(), ChildJvm.classPathWithoutAgent(), ChainProgram.class);
        assertTrue(r.exitCode() != 0);
        assertTrue(r.out().contains("IllegalStateException"), r.out());
        assertTrue(r.out().contains("-javaagent:"), r.out());
    }

    @Test
    void withoutTheAgentAFirstYieldSaysHowToAddItToo() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of(), ChildJvm.classPathWithoutAgent(), ChainProgram.class,
                "yield-first");
        assertTrue(r.exitCode() != 0);
        assertTrue(r.out().contains("IllegalStateException"), r.out());
        assertTrue(r.out().contains("-javaagent:"), r.out());
    }

    @Test
    void installAttachesTheAgentToARunningJvm() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of(), System.getProperty("java.class.path"), InstallProgram.class);
        assertTrue(r.out().contains("before install: agent=false"), r.out());
        assertTrue(r.out().contains("after install: agent=true"), r.out());
        assertTrue(r.out().contains(OK), r.out());
    }

    /**
     * Classes loaded before install() cannot be rewritten any more; those that call suspendable methods get the
     * check after those calls, so a suspension through them is refused instead of running on with a placeholder.
     */
    @Test
    void aSuspensionThroughAClassLoadedBeforeInstallIsRefused() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of(), System.getProperty("java.class.path"),
                LoadedBeforeInstallProgram.class);
        String through = line(r.out(), "through Early.middle: ");
        assertTrue(through.startsWith("refused: ") && through.contains("LoadedBeforeInstallProgram$Early.middle")
                && through.contains("loaded before the Spindle agent was installed"), r.out());
        String body = line(r.out(), "body in the early class: ");
        assertTrue(body.startsWith("refused: ") && body.contains("loaded before the Spindle agent was installed"),
                r.out());
        assertTrue(r.out().contains("LoadedBeforeInstallProgram$Early was loaded before the agent was installed"),
                r.out());
        String yield = line(r.out(), "yield in the early class: ");
        assertTrue(yield.startsWith("refused: cannot suspend in " + LoadedBeforeInstallProgram.class.getName()
                + "$Early.pauseHere: the agent could not instrument it (its class was loaded before the Spindle agent"
                + " was installed), so its call of Coroutine.yield() cannot suspend"), r.out());
        assertTrue(yield.contains("or start the JVM with -javaagent:spindle-agent.jar"), r.out());
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElse("(no line " + prefix + ")");
    }

    /**
     * A class loaded by a thread at the end of its stack is defined unchanged when the transformer overflows; the
     * agent names it at a later transform, once. (Where the overflow strikes in the JDK's frames around the
     * transformer instead, the agent never hears of the class: the refusal at its first suspension says it.)
     */
    @Test
    void aClassLeftUnrewrittenByAnOverflowIsNamedByTheAgent() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("-javaagent:" + ChildJvm.agentJar(), "-Xss512k"),
                ChildJvm.classPathWithoutAgent(), LoadedAtTheEndOfTheStackProgram.class);
        assertEquals(0, r.exitCode(), r.out());
        String warning = "[spindle] WARNING: class ";
        List<String> named = r.out().lines().filter(l -> l.startsWith(warning) && l.contains(" was loaded by a"
                + " thread at the end of its stack, where the agent could not rewrite it"))
                .map(l -> l.substring(warning.length(), l.indexOf(' ', warning.length()))).toList();
        List<String> refused = r.out().lines().filter(l -> l.startsWith("REFUSED ")).map(l -> l.substring(8)).toList();
        assertFalse(named.isEmpty(), r.out());
        assertTrue(refused.containsAll(named), r.out());
        assertEquals(named.size(), Set.copyOf(named).size(), r.out());
    }

    @Test
    void suspendableConstructorAndStaticInitializerAreLeftAloneWithAWarning() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("-javaagent:" + ChildJvm.agentJar()),
                ChildJvm.classPathWithoutAgent(), AnnotatedInitializersProgram.class);
        assertEquals(0, r.exitCode(), r.out());
        assertTrue(r.out().contains("constructed"), r.out());
        assertTrue(r.out().contains("WARNING: @Suspendable on constructor of "
                + AnnotatedInitializersProgram.class.getName()), r.out());
        assertTrue(r.out().contains("initialized 42"), r.out());
        assertTrue(r.out().contains("WARNING: @Suspendable on static initializer of "
                + AnnotatedInitializersProgram.STATIC_INIT), r.out());
    }

    @Test
    void jacocoBeforeSpindle(@TempDir Path dir) throws Exception {
        runWithJacoco(dir, true);
    }

    @Test
    void jacocoAfterSpindle(@TempDir Path dir) throws Exception {
        runWithJacoco(dir, false);
    }

    private static void runWithJacoco(Path dir, boolean jacocoFirst) throws Exception {
        Path exec = dir.resolve("jacoco.exec");
        String jacoco = "-javaagent:" + ChildJvm.jacocoAgentJar() + "=destfile=" + exec
                + ",includes=dev.spindle.it.process.*";
        String spindle = "-javaagent:" + ChildJvm.agentJar() + "=verify";
        List<String> agents = jacocoFirst ? List.of(jacoco, spindle) : List.of(spindle, jacoco);
        ChildJvm.Result r = ChildJvm.run(agents, ChildJvm.classPathWithoutAgent(), ChainProgram.class);
        assertTrue(r.out().contains(OK), r.out());
        assertFalse(r.out().contains("WARNING"), r.out());
        assertTrue(Files.size(exec) > 0, "JaCoCo wrote no coverage data");
    }
}
