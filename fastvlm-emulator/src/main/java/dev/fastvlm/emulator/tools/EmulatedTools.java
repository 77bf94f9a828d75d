package dev.fastvlm.emulator.tools;

import dev.fastvlm.emulator.ToolEnvironment;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Set;

/**
 * Entry point of the emulated QAIRT programs: {@code EmulatedTools <tool> <args...>}, started by
 * the SDK's program scripts ({@link EmulatedSdk}). Applies injected faults, runs the tool, and
 * maps failures to a message on stderr and a non-zero exit code.
 */
public final class EmulatedTools {
    private EmulatedTools() {
    }

    /**
     * Runs the tool named by the first argument and exits with its exit code.
     *
     * @param args the tool's name, then its arguments
     */
    public static void main(String[] args) {
        // a device program's stderr carries only its own errors, not library chatter (DJL's GPU probing)
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        System.exit(run(args, ToolContext.current(), System.out, System.err));
    }

    static int run(String[] args, ToolContext ctx, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage: EmulatedTools qnn-net-run|genie-t2t-run|qnn-context-binary-utility|qnn-onnx-converter"
                    + "|qnn-model-lib-generator|qnn-context-binary-generator|qnn-genai-transformer-composer ARGS...");
            return 2;
        }
        String tool = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        String usage = switch (tool) {
            case QnnNetRun.NAME -> QnnNetRun.USAGE;
            case GenieT2tRun.NAME -> GenieT2tRun.USAGE;
            case ContextBinaryUtility.NAME -> ContextBinaryUtility.USAGE;
            case OnnxConverter.NAME -> OnnxConverter.USAGE;
            case ModelLibGenerator.NAME -> ModelLibGenerator.USAGE;
            case ContextBinaryGenerator.NAME -> ContextBinaryGenerator.USAGE;
            case GenAiComposer.NAME -> GenAiComposer.USAGE;
            default -> null;
        };
        if (usage == null) {
            err.println("EmulatedTools: unknown tool " + tool);
            return 2;
        }
        try {
            if (Set.of(ctx.env(ToolEnvironment.HANG_TOOLS).split(" ")).contains(tool)) {
                Thread.sleep(Long.MAX_VALUE);
            }
            int code = switch (tool) {
                case QnnNetRun.NAME -> new QnnNetRun(ctx, out).run(rest);
                case GenieT2tRun.NAME -> new GenieT2tRun(ctx, out).run(rest);
                case OnnxConverter.NAME -> new OnnxConverter(ctx, out).run(rest);
                case ModelLibGenerator.NAME -> new ModelLibGenerator(ctx, out).run(rest);
                case ContextBinaryGenerator.NAME -> new ContextBinaryGenerator(ctx, out).run(rest);
                case GenAiComposer.NAME -> new GenAiComposer(ctx, out).run(rest);
                default -> new ContextBinaryUtility(ctx, out).run(rest);
            };
            for (String fault : ctx.env(ToolEnvironment.FAIL_TOOLS).split(" ")) {
                if (fault.startsWith(tool + "=")) {
                    err.println(tool + ": fault injected by the fastvlm emulator");
                    return Integer.parseInt(fault.substring(tool.length() + 1));
                }
            }
            return code;
        } catch (ToolFailure f) {
            out.print(f.stdout());
            out.flush();
            if (!f.getMessage().isEmpty()) {
                err.println(f.getMessage());
            }
            if (f.printUsage()) {
                // genie-t2t-run prints its usage on stdout whatever the reason
                (f.exitCode() == 0 || tool.equals(GenieT2tRun.NAME) ? out : err).println(usage);
            }
            return f.exitCode();
        } catch (IOException e) {
            out.flush();
            err.println(tool + ": " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
