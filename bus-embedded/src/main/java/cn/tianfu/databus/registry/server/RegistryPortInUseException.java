package cn.tianfu.databus.registry.server;

/** The configured listen address is taken by another process (or another registry instance). */
public final class RegistryPortInUseException extends RegistryServerException {

    private final String host;
    private final int port;

    public RegistryPortInUseException(String host, int port, Throwable cause) {
        super("The schema registry cannot listen on " + host + ":" + port + " because the port is already in use; stop what "
                + "listens there or set " + RegistryServerConfig.LISTEN_PORT_CONFIG + " to a free port (0 picks any free port)", cause, false);
        this.host = host;
        this.port = port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }
}
