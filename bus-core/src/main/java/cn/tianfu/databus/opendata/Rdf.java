package cn.tianfu.databus.opendata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A small RDF graph written as Turtle or as JSON-LD (expanded form, full IRIs), without an RDF library: the open
 * catalog's DCAT documents. IRIs are escaped as Turtle's IRIREF requires (characters it forbids are
 * percent-encoded), literals as its STRING_LITERAL_QUOTE (backslash escapes).
 */
public final class Rdf {

    /** An RDF term in object position: an IRI, or a literal with a language tag or a datatype IRI. */
    public sealed interface Term permits Iri, Literal {
    }

    public record Iri(String iri) implements Term {
    }

    public record Literal(String lexical, String language, String datatype) implements Term {
    }

    public record Triple(String subject, String predicate, Term object) {
    }

    public static final String XSD = "http://www.w3.org/2001/XMLSchema#";
    public static final String RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

    private final Map<String, String> prefixes = new LinkedHashMap<>();
    private final List<Triple> triples = new ArrayList<>();

    /** Declares a prefix used when writing Turtle. */
    public Rdf prefix(String prefix, String namespace) {
        prefixes.put(prefix, namespace);
        return this;
    }

    public Rdf add(String subject, String predicate, Term object) {
        triples.add(new Triple(subject, predicate, object));
        return this;
    }

    public Rdf iri(String subject, String predicate, String object) {
        return add(subject, predicate, new Iri(object));
    }

    public Rdf type(String subject, String type) {
        return iri(subject, RDF_TYPE, type);
    }

    public Rdf text(String subject, String predicate, String value, String language) {
        return value == null ? this : add(subject, predicate, new Literal(value, language, null));
    }

    public Rdf typed(String subject, String predicate, String value, String datatype) {
        return value == null ? this : add(subject, predicate, new Literal(value, null, datatype));
    }

    public List<Triple> triples() {
        return List.copyOf(triples);
    }

    /** The graph in Turtle, subjects grouped in the order first seen. */
    public String turtle() {
        StringBuilder b = new StringBuilder();
        prefixes.forEach((p, ns) -> b.append("@prefix ").append(p).append(": ").append(iriRef(ns)).append(" .\n"));
        b.append('\n');
        for (Map.Entry<String, List<Triple>> s : bySubject().entrySet()) {
            b.append(name(s.getKey()));
            List<Triple> ts = s.getValue();
            for (int i = 0; i < ts.size(); i++) {
                Triple t = ts.get(i);
                b.append(i == 0 ? "\n    " : " ;\n    ");
                b.append(t.predicate().equals(RDF_TYPE) ? "a" : name(t.predicate())).append(' ').append(term(t.object()));
            }
            b.append(" .\n\n");
        }
        return b.toString();
    }

    /** The graph in JSON-LD (expanded form: full IRIs, no context), one node object per subject. */
    public String jsonLd() {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode graph = json.createArrayNode();
        for (Map.Entry<String, List<Triple>> s : bySubject().entrySet()) {
            ObjectNode node = graph.addObject();
            node.put("@id", s.getKey());
            for (Triple t : s.getValue()) {
                if (t.predicate().equals(RDF_TYPE)) {
                    node.withArray("@type").add(((Iri) t.object()).iri());
                    continue;
                }
                ObjectNode o = node.withArray(t.predicate()).addObject();
                if (t.object() instanceof Iri iri) {
                    o.put("@id", iri.iri());
                } else {
                    Literal l = (Literal) t.object();
                    o.put("@value", l.lexical());
                    if (l.language() != null) {
                        o.put("@language", l.language());
                    } else if (l.datatype() != null) {
                        o.put("@type", l.datatype());
                    }
                }
            }
        }
        try {
            return json.writeValueAsString(graph);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, List<Triple>> bySubject() {
        Map<String, List<Triple>> out = new LinkedHashMap<>();
        for (Triple t : triples) {
            out.computeIfAbsent(t.subject(), k -> new ArrayList<>()).add(t);
        }
        return out;
    }

    /** A prefixed name when a declared namespace covers the IRI with a simple local part, otherwise an IRIREF. */
    private String name(String iri) {
        for (Map.Entry<String, String> p : prefixes.entrySet()) {
            if (iri.startsWith(p.getValue())) {
                String local = iri.substring(p.getValue().length());
                if (local.matches("[A-Za-z][A-Za-z0-9_]*")) {
                    return p.getKey() + ":" + local;
                }
            }
        }
        return iriRef(iri);
    }

    private String term(Term t) {
        if (t instanceof Iri iri) {
            return name(iri.iri());
        }
        Literal l = (Literal) t;
        String s = '"' + escape(l.lexical()) + '"';
        if (l.language() != null) {
            return s + "@" + l.language();
        }
        return l.datatype() == null ? s : s + "^^" + name(l.datatype());
    }

    /** {@code <iri>}, with the characters IRIREF forbids percent-encoded (as UTF-8). */
    static String iriRef(String iri) {
        StringBuilder b = new StringBuilder("<");
        for (byte raw : iri.getBytes(StandardCharsets.UTF_8)) {
            int c = raw & 0xff;
            if (c <= 0x20 || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' || c == '^'
                    || c == '`' || c == '\\') {
                b.append('%').append(String.format("%02X", c));
            } else {
                b.append((char) c);
            }
        }
        // non-ASCII bytes were appended as chars 0x80-0xFF above: rebuild them as UTF-8 text
        String ascii = b.append('>').toString();
        byte[] bytes = new byte[ascii.length()];
        for (int i = 0; i < ascii.length(); i++) {
            bytes[i] = (byte) ascii.charAt(i);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A Turtle string literal's content: backslash, quote and control characters escaped. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
