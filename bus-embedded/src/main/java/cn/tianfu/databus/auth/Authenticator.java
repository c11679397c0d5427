package cn.tianfu.databus.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Checks a username and password presented over HTTP basic authentication (the schema registry, the bus's HTTP API)
 * and says who the caller is. The bus backs it with its own principal and the verifiers it keeps for departments and
 * auditors; tests may back it with a map.
 *
 * <pre>{@code
 * Authenticator auth = (user, password) -> "bus".equals(user) && secret.equals(password)
 *         ? Optional.of(Caller.admin(user)) : Optional.empty();
 * }</pre>
 */
@FunctionalInterface
public interface Authenticator {

    /** The caller these credentials prove, or empty when they prove nothing (unknown user, wrong password). */
    Optional<Caller> authenticate(String username, String password);

    /** Who called: a principal name, and whether it may change what the bus serves (the bus's own principal). */
    record Caller(String name, boolean admin) {
        public static Caller admin(String name) {
            return new Caller(name, true);
        }

        public static Caller of(String name) {
            return new Caller(name, false);
        }
    }

    /**
     * The caller these credentials prove if they are ones this authenticator has verified before and can check again
     * without the slow key derivation (a remembered verified password, the bus's own secret); empty when it cannot tell
     * cheaply. {@link LoginGuard} lets such callers through even while their source address is throttled.
     */
    default Optional<Caller> remembered(String username, String password) {
        return Optional.empty();
    }

    /** A username and password from an HTTP basic {@code Authorization} header. */
    record Basic(String username, String password) {

        /** The credentials of an {@code Authorization} header value ({@code Basic base64(user:password)}); empty when missing or malformed. */
        public static Optional<Basic> parse(String authorization) {
            if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                return Optional.empty();
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon < 1) {
                return Optional.empty();
            }
            return Optional.of(new Basic(decoded.substring(0, colon), decoded.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return "Basic[" + username + "]";
        }
    }

    /**
     * The caller of an {@code Authorization} header value ({@code Basic base64(user:password)}); empty when the header is
     * missing, malformed or its credentials are refused. Not rate-limited: HTTP servers go through {@link LoginGuard}.
     */
    default Optional<Caller> fromHeader(String authorization) {
        return Basic.parse(authorization).flatMap(b -> authenticate(b.username(), b.password()));
    }
}
