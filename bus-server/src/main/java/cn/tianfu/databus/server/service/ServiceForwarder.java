package cn.tianfu.databus.server.service;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.apache.kafka.streams.state.HostInfo;

import cn.tianfu.databus.client.PemTrust;
import cn.tianfu.databus.service.ServiceException;

/**
 * Sends a service request on to the node that owns the key ({@link OwnerRouting.Forward}), with the caller's
 * credentials and {@link ServiceRoutes#FORWARDED_HEADER}. A node whose HTTP API runs TLS announces its HTTPS port,
 * so the request goes over HTTPS, trusting exactly the bus's CA (the certificate authority of every node's
 * listener); a plain node forwards over plain HTTP.
 */
public final class ServiceForwarder {

    private final String scheme;
    private final HttpClient http;

    private ServiceForwarder(String scheme, HttpClient http) {
        this.scheme = scheme;
        this.http = http;
    }

    /** Plain HTTP: the nodes' APIs run without TLS. */
    public static ServiceForwarder plain() {
        return new ServiceForwarder("http", HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** HTTPS to the other nodes, trusting the certificates of {@code caPem} (the bus's CA) and nothing else. */
    public static ServiceForwarder https(String caPem) {
        return new ServiceForwarder("https", HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .sslContext(PemTrust.sslContext(caPem, "the bus's CA")).build());
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return scheme;
    }

    /**
     * Sends the request to {@code owner} and returns its answer as it is.
     *
     * @param pathAndQuery  the request's path and query string, as received
     * @param authorization the caller's {@code Authorization} header, or null
     * @param body          the body of a POST; null: a GET
     * @throws ServiceException {@code UNAVAILABLE} when the owner does not answer
     */
    public HttpResponse<byte[]> send(HostInfo owner, String pathAndQuery, String authorization, byte[] body) {
        String host = owner.host().contains(":") && !owner.host().startsWith("[") ? "[" + owner.host() + "]" : owner.host();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://" + host + ":" + owner.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).header(ServiceRoutes.FORWARDED_HEADER, "1");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            request.GET();
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ServiceException(ServiceException.Kind.UNAVAILABLE, "the node that holds the key (" + owner
                    + ") did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceException(ServiceException.Kind.UNAVAILABLE, "interrupted while asking " + owner, e);
        }
    }
}
