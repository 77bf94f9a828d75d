package dev.fastvlm.emulator.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The part of the POSIX shell language the restricted shell understands: lists ({@code ;},
 * {@code &&}, {@code ||}, newlines), pipelines, {@code !}, {@code if}/{@code for}/{@code while}/
 * {@code until}, {@code { }} and {@code ( )} groups, assignments, single and double quotes,
 * backslashes, {@code $name ${name} ${name:-word} $? $$ $# $@ $0..$9}, {@code $(...)}, backquotes,
 * {@code $((...))} and the redirections {@code < > >> n> n>&m}. Background jobs, here-documents,
 * functions and {@code case} are refused with a syntax error.
 */
final class ShellSyntax {
    /** A list of and-or lists, run one after the other. */
    record Sequence(List<AndOr> items) {
    }

    /** Pipelines joined by {@code &&} (true) and {@code ||} (false). */
    record AndOr(List<Pipeline> pipelines, List<Boolean> and) {
    }

    record Pipeline(boolean negate, List<Command> commands) {
    }

    sealed interface Command permits Simple, If, For, While, Group {
    }

    record Simple(List<Assignment> assignments, List<Word> words, List<Redirect> redirects) implements Command {
    }

    record If(List<Sequence> conditions, List<Sequence> bodies, Sequence otherwise, List<Redirect> redirects)
            implements Command {
    }

    record For(String variable, List<Word> items, Sequence body, List<Redirect> redirects) implements Command {
    }

    record While(Sequence condition, Sequence body, boolean until, List<Redirect> redirects) implements Command {
    }

    record Group(Sequence body, boolean subshell, List<Redirect> redirects) implements Command {
    }

    record Assignment(String name, Word value) {
    }

    /** {@code fd op target}; op is one of {@code < > >> >& <&}. */
    record Redirect(int fd, String op, Word target) {
    }

    record Word(List<Part> parts) {
    }

    sealed interface Part permits Literal, Parameter, Substitution, Arithmetic {
        boolean quoted();
    }

    record Literal(String text, boolean quoted) implements Part {
    }

    /** {@code $name}; {@code fallback} is the word of {@code ${name:-word}}, or null. */
    record Parameter(String name, Word fallback, boolean quoted) implements Part {
    }

    record Substitution(Sequence body, boolean quoted) implements Part {
    }

    record Arithmetic(Word expression, boolean quoted) implements Part {
    }

    /** A command line the restricted shell cannot parse. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message);
        }
    }

    private static final Set<String> RESERVED = Set.of("if", "then", "elif", "else", "fi", "for", "in", "do", "done",
            "while", "until", "{", "}", "!", "case", "esac", "function");
    private static final String METACHARACTERS = " \t\n;&|()<>";

    private final String text;
    private int at;

    private ShellSyntax(String text) {
        this.text = text;
    }

    /** Parses a whole script. */
    static Sequence parse(String script) throws SyntaxException {
        ShellSyntax parser = new ShellSyntax(script);
        Sequence sequence = parser.sequence(Set.of());
        parser.blanks(true);
        if (parser.at < parser.text.length()) {
            throw new SyntaxException("syntax error near '" + parser.rest() + "'");
        }
        return sequence;
    }

    private String rest() {
        return text.substring(at, Math.min(text.length(), at + 20));
    }

    private Sequence sequence(Set<String> until) throws SyntaxException {
        List<AndOr> items = new ArrayList<>();
        while (true) {
            blanks(true);
            if (at >= text.length() || peek(')') || atReserved(until)) {
                return new Sequence(items);
            }
            items.add(andOr());
            blanks(false);
            if (peek(';') && !text.startsWith(";;", at) || peek('\n')) {
                at++;
            } else if (peek('&') && !text.startsWith("&&", at)) {
                throw new SyntaxException("background jobs (&) are not supported by this device's restricted shell");
            } else if (at < text.length() && !peek(')') && !atReserved(until)) {
                throw new SyntaxException("syntax error near '" + rest() + "'");
            }
        }
    }

    private AndOr andOr() throws SyntaxException {
        List<Pipeline> pipelines = new ArrayList<>();
        List<Boolean> and = new ArrayList<>();
        pipelines.add(pipeline());
        while (true) {
            blanks(false);
            if (text.startsWith("&&", at) || text.startsWith("||", at)) {
                and.add(text.charAt(at) == '&');
                at += 2;
                blanks(true);
                pipelines.add(pipeline());
            } else {
                return new AndOr(pipelines, and);
            }
        }
    }

    private Pipeline pipeline() throws SyntaxException {
        blanks(false);
        boolean negate = false;
        if ("!".equals(reservedWord())) {
            at++;
            negate = true;
        }
        List<Command> commands = new ArrayList<>();
        commands.add(command());
        while (true) {
            blanks(false);
            if (peek('|') && !text.startsWith("||", at)) {
                at++;
                blanks(true);
                commands.add(command());
            } else {
                return new Pipeline(negate, commands);
            }
        }
    }

    private Command command() throws SyntaxException {
        blanks(false);
        String reserved = reservedWord();
        if (reserved != null) {
            switch (reserved) {
                case "if" -> {
                    return ifCommand();
                }
                case "for" -> {
                    return forCommand();
                }
                case "while", "until" -> {
                    at += reserved.length();
                    Sequence condition = sequence(Set.of("do"));
                    expect("do");
                    Sequence body = sequence(Set.of("done"));
                    expect("done");
                    return new While(condition, body, reserved.equals("until"), redirects());
                }
                case "{" -> {
                    at++;
                    Sequence body = sequence(Set.of("}"));
                    expect("}");
                    return new Group(body, false, redirects());
                }
                case "case", "function" -> throw new SyntaxException(reserved
                        + " is not supported by this device's restricted shell");
                default -> throw new SyntaxException("syntax error: unexpected " + reserved);
            }
        }
        if (peek('(')) {
            at++;
            Sequence body = sequence(Set.of());
            blanks(true);
            if (!peek(')')) {
                throw new SyntaxException("syntax error: ( without )");
            }
            at++;
            return new Group(body, true, redirects());
        }
        List<Assignment> assignments = new ArrayList<>();
        List<Word> words = new ArrayList<>();
        List<Redirect> redirects = new ArrayList<>();
        while (true) {
            blanks(false);
            if (at >= text.length()) {
                break;
            }
            Redirect redirect = redirect();
            if (redirect != null) {
                redirects.add(redirect);
                continue;
            }
            char c = text.charAt(at);
            if (METACHARACTERS.indexOf(c) >= 0) {
                break;
            }
            int start = at;
            Word word = word();
            if (words.isEmpty()) {
                String name = assignmentName(start);
                if (name != null) {
                    at = start + name.length() + 1;
                    assignments.add(new Assignment(name, word()));
                    continue;
                }
            }
            words.add(word);
        }
        if (assignments.isEmpty() && words.isEmpty() && redirects.isEmpty()) {
            throw new SyntaxException(at >= text.length() ? "syntax error: unexpected end of command"
                    : "syntax error near '" + rest() + "'");
        }
        return new Simple(assignments, words, redirects);
    }

    private String assignmentName(int start) {
        int i = start;
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
            i++;
        }
        if (i > start && i < text.length() && text.charAt(i) == '=' && !Character.isDigit(text.charAt(start))) {
            return text.substring(start, i);
        }
        return null;
    }

    private If ifCommand() throws SyntaxException {
        List<Sequence> conditions = new ArrayList<>();
        List<Sequence> bodies = new ArrayList<>();
        Sequence otherwise = null;
        expect("if");
        while (true) {
            conditions.add(sequence(Set.of("then")));
            expect("then");
            bodies.add(sequence(Set.of("elif", "else", "fi")));
            String next = reservedWord();
            if ("elif".equals(next)) {
                expect("elif");
                continue;
            }
            if ("else".equals(next)) {
                expect("else");
                otherwise = sequence(Set.of("fi"));
            }
            expect("fi");
            return new If(conditions, bodies, otherwise, redirects());
        }
    }

    private For forCommand() throws SyntaxException {
        expect("for");
        blanks(false);
        int start = at;
        while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
            at++;
        }
        String variable = text.substring(start, at);
        if (variable.isEmpty()) {
            throw new SyntaxException("syntax error: for without a variable name");
        }
        blanks(false);
        List<Word> items = null;
        if ("in".equals(reservedWord())) {
            at += 2;
            items = new ArrayList<>();
            while (true) {
                blanks(false);
                if (at >= text.length() || peek(';') || peek('\n')) {
                    break;
                }
                items.add(word());
            }
        }
        blanks(false);
        if (peek(';') || peek('\n')) {
            at++;
        }
        blanks(true);
        expect("do");
        Sequence body = sequence(Set.of("done"));
        expect("done");
        return new For(variable, items, body, redirects());
    }

    private List<Redirect> redirects() throws SyntaxException {
        List<Redirect> redirects = new ArrayList<>();
        while (true) {
            blanks(false);
            Redirect r = redirect();
            if (r == null) {
                return redirects;
            }
            redirects.add(r);
        }
    }

    private Redirect redirect() throws SyntaxException {
        int start = at;
        int i = at;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            i++;
        }
        if (i >= text.length() || (text.charAt(i) != '>' && text.charAt(i) != '<')) {
            return null;
        }
        if (text.startsWith("<<", i)) {
            throw new SyntaxException("here-documents are not supported by this device's restricted shell");
        }
        char direction = text.charAt(i);
        int fd = i > start ? Integer.parseInt(text.substring(start, i)) : direction == '>' ? 1 : 0;
        at = i + 1;
        String op = String.valueOf(direction);
        if (direction == '>' && peek('>')) {
            op = ">>";
            at++;
        } else if (peek('&')) {
            op = direction + "&";
            at++;
        } else if (direction == '>' && peek('|')) {
            at++;
        }
        blanks(false);
        if (at >= text.length() || METACHARACTERS.indexOf(text.charAt(at)) >= 0) {
            throw new SyntaxException("syntax error: redirection without a target");
        }
        return new Redirect(fd, op, word());
    }

    /** A word up to the next unquoted metacharacter. */
    private Word word() throws SyntaxException {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        while (at < text.length()) {
            char c = text.charAt(at);
            if (METACHARACTERS.indexOf(c) >= 0) {
                break;
            }
            if (c == '\'') {
                flush(parts, literal, false);
                int end = text.indexOf('\'', at + 1);
                if (end < 0) {
                    throw new SyntaxException("syntax error: unterminated quoted string");
                }
                parts.add(new Literal(text.substring(at + 1, end), true));
                at = end + 1;
            } else if (c == '"') {
                flush(parts, literal, false);
                at++;
                doubleQuoted(parts, '"');
            } else if (c == '\\') {
                flush(parts, literal, false);
                if (at + 1 < text.length() && text.charAt(at + 1) != '\n') {
                    parts.add(new Literal(String.valueOf(text.charAt(at + 1)), true));
                }
                at += 2;
            } else if (c == '$' || c == '`') {
                flush(parts, literal, false);
                parts.add(dollar(false));
            } else {
                literal.append(c);
                at++;
            }
        }
        flush(parts, literal, false);
        return new Word(parts);
    }

    /** The inside of double quotes, up to {@code end} (consumed), or to the end of the text for {@code 0}. */
    private void doubleQuoted(List<Part> parts, char end) throws SyntaxException {
        StringBuilder literal = new StringBuilder();
        while (true) {
            if (at >= text.length()) {
                if (end == 0) {
                    flush(parts, literal, true);
                    return;
                }
                throw new SyntaxException("syntax error: unterminated quoted string");
            }
            char c = text.charAt(at);
            if (c == end) {
                at++;
                flush(parts, literal, true);
                return;
            }
            if (c == '\\' && at + 1 < text.length() && "$`\"\\\n".indexOf(text.charAt(at + 1)) >= 0) {
                if (text.charAt(at + 1) != '\n') {
                    literal.append(text.charAt(at + 1));
                }
                at += 2;
            } else if (c == '$' || c == '`') {
                flush(parts, literal, true);
                parts.add(dollar(true));
            } else {
                literal.append(c);
                at++;
            }
        }
    }

    private Part dollar(boolean quoted) throws SyntaxException {
        if (peek('`')) {
            int end = text.indexOf('`', at + 1);
            if (end < 0) {
                throw new SyntaxException("syntax error: unterminated `");
            }
            Sequence body = parse(text.substring(at + 1, end));
            at = end + 1;
            return new Substitution(body, quoted);
        }
        at++;
        if (text.startsWith("((", at)) {
            int depth = 0;
            int i = at;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                    if (depth == 0) {
                        break;
                    }
                }
                i++;
            }
            if (i >= text.length() || i < at + 3 || text.charAt(i - 1) != ')') {
                throw new SyntaxException("syntax error: unterminated $((");
            }
            ShellSyntax inner = new ShellSyntax(text.substring(at + 2, i - 1));
            List<Part> parts = new ArrayList<>();
            inner.doubleQuoted(parts, (char) 0);
            at = i + 1;
            return new Arithmetic(new Word(parts), quoted);
        }
        if (peek('(')) {
            at++;
            Sequence body = sequence(Set.of());
            blanks(true);
            if (!peek(')')) {
                throw new SyntaxException("syntax error: $( without )");
            }
            at++;
            return new Substitution(body, quoted);
        }
        if (peek('{')) {
            int close = text.indexOf('}', at);
            if (close < 0) {
                throw new SyntaxException("syntax error: ${ without }");
            }
            String inside = text.substring(at + 1, close);
            at = close + 1;
            int dash = inside.indexOf(":-");
            String name = dash < 0 ? inside : inside.substring(0, dash);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*|[0-9?$#@*]")) {
                throw new SyntaxException("bad substitution: ${" + inside + "}");
            }
            Word fallback = null;
            if (dash >= 0) {
                List<Part> parts = new ArrayList<>();
                new ShellSyntax(inside.substring(dash + 2)).doubleQuoted(parts, (char) 0);
                fallback = new Word(parts);
            }
            return new Parameter(name, fallback, quoted);
        }
        if (at < text.length() && "?$#@*!0123456789".indexOf(text.charAt(at)) >= 0) {
            return new Parameter(String.valueOf(text.charAt(at++)), null, quoted);
        }
        int start = at;
        while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
            at++;
        }
        if (at == start) {
            return new Literal("$", quoted);
        }
        return new Parameter(text.substring(start, at), null, quoted);
    }

    private static void flush(List<Part> parts, StringBuilder literal, boolean quoted) {
        if (!literal.isEmpty()) {
            parts.add(new Literal(literal.toString(), quoted));
            literal.setLength(0);
        }
    }

    /** The reserved word at the current position (followed by a metacharacter or the end), or null. */
    private String reservedWord() {
        int i = at;
        while (i < text.length() && METACHARACTERS.indexOf(text.charAt(i)) < 0 && "'\"\\$`".indexOf(text.charAt(i)) < 0) {
            i++;
        }
        if (i < text.length() && METACHARACTERS.indexOf(text.charAt(i)) < 0) {
            return null;
        }
        String word = text.substring(at, i);
        return RESERVED.contains(word) ? word : null;
    }

    private boolean atReserved(Set<String> words) {
        String word = reservedWord();
        return word != null && words.contains(word);
    }

    private void expect(String reserved) throws SyntaxException {
        blanks(true);
        if (!reserved.equals(reservedWord())) {
            throw new SyntaxException("syntax error: expected " + reserved + (at < text.length() ? " near '" + rest()
                    + "'" : " before the end"));
        }
        at += reserved.length();
    }

    private boolean peek(char c) {
        return at < text.length() && text.charAt(at) == c;
    }

    /** Skips blanks and comments, and newlines and semicolons-free line breaks when {@code newlines}. */
    private void blanks(boolean newlines) {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c == ' ' || c == '\t' || (newlines && c == '\n')) {
                at++;
            } else if (c == '\\' && at + 1 < text.length() && text.charAt(at + 1) == '\n') {
                at += 2;
            } else if (c == '#') {
                while (at < text.length() && text.charAt(at) != '\n') {
                    at++;
                }
            } else {
                return;
            }
        }
    }
}
