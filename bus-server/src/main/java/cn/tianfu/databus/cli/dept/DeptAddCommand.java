package cn.tianfu.databus.cli.dept;

import cn.tianfu.databus.contract.Principals;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.HandoverOptions;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.department.AccessPolicy;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.contract.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus dept add}: adds a department with its topics, credentials, ACLs, and hands its client config over once. */
@Command(name = "add", mixinStandardHelpOptions = true,
        header = "Add a department: creates cmd.<id> and reply.<id>, its SCRAM credential (a generated password), ACLs and"
                + " quota, records it on bus.departments and hands its client config over once: to --out FILE (mode 600),"
                + " or on standard output. The bus keeps only a verifier of the password.")
public final class DeptAddCommand implements Callable<Integer>, cn.tianfu.databus.cli.common.UsesClock {

    private java.time.InstantSource clock = java.time.InstantSource.system();

    @Override
    public void clock(java.time.InstantSource clock) {
        this.clock = clock;
    }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "Department id: 2-32 lower-case letters, digits and '-', starting with a letter (e.g. psb).")
    String id;

    @Option(names = "--name", paramLabel = "NAME", required = true, description = "The department's name, e.g. 市公安局.")
    String name;

    @Option(names = "--code", paramLabel = "CREDIT-CODE", description = "Unified social credit code or organisation code.")
    String code;

    @Mixin
    BusAdminOptions admin;

    @Mixin
    HandoverOptions handover;

    @Option(names = "--json", description = "Print JSON (for scripts); without --out it holds the client config too.")
    boolean json;

    @Option(names = "--cert", description = "Also issue a client certificate (CN=<id>,OU=departments) signed by the bus's CA:"
            + " writes <out>.p12 (the key store, mode 600) and <out>-cert.properties, a client config for the broker's"
            + " certificate listener (security.protocol=SSL, no password). Needs --out and TLS.")
    boolean cert;

    @Option(names = "--ca-dir", paramLabel = "DIR", description = "Directory of the CA that signs --cert (ca.crt, ca.key);"
            + " default: <data-dir>/tls, the bus's own.")
    Path caDir;

    /** How long a department certificate is valid. */
    static final java.time.Duration CERT_VALIDITY = java.time.Duration.ofDays(825);

    @Override
    public Integer call() {
        Principals.checkDepartmentId(id);
        BusEndpoints endpoints = BusEndpoints.read(admin.dataDir());
        cn.tianfu.databus.tls.Certificates.Issued authority = null;
        if (cert) {
            // checked before the department exists: a refused --cert leaves nothing half done
            if (handover.out().isEmpty()) {
                throw new IllegalArgumentException("--cert needs --out FILE: the key store and the certificate client config"
                        + " are written next to it");
            }
            if (endpoints.certificateListener().isEmpty()) {
                throw new cn.tianfu.databus.DatabusException("the bus has no listener for client certificates: it runs with"
                        + " TLS off, or on a cluster without " + cn.tianfu.databus.server.ServerConfig.KAFKA_CERTIFICATE_BOOTSTRAP_SERVERS_CONFIG);
            }
            authority = cn.tianfu.databus.tls.ServerTls.loadAuthority(caDir != null ? caDir
                    : admin.dataDir().resolve(cn.tianfu.databus.tls.ServerTls.DIR));
        }
        Departments.NewPrincipal<Department> added;
        try (Departments departments = admin.departments()) {
            added = departments.add(id, name, Optional.ofNullable(code));
        }
        Department department = added.record();
        Output output = Output.of(spec, json);
        Path certFile = null;
        Path keystore = null;
        if (cert) {
            Path out = handover.out().orElseThrow();
            String stem = out.getFileName().toString().replaceFirst("\\.properties$", "");
            keystore = out.resolveSibling(stem + ".p12");
            certFile = out.resolveSibling(stem + "-cert.properties");
            ClientFiles.certificateHandover(certFile, keystore, endpoints, id, authority, clock.instant(), CERT_VALIDITY);
        }
        if (json) {
            Path file = handover.out().isEmpty() ? null : handover.handOver(output.out(), endpoints, id, added).orElseThrow();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("department", DeptListCommand.plain(department));
            result.put("principal", Principals.principal(id));
            result.put("commandTopic", Topics.commands(id));
            result.put("replyTopic", Topics.replies(id));
            result.put("acls", AccessPolicy.department(id).stream().map(AccessPolicy::describe).toList());
            result.put("clientConfig", file == null ? null : file.toString());
            if (certFile != null) {
                result.put("certificateClientConfig", certFile.toString());
                result.put("keyStore", keystore.toString());
            }
            if (file == null) {
                result.put("clientConfigText", ClientFiles.text(endpoints, id, added));
            }
            output.json(result);
        } else {
            // the summary goes to stderr when stdout carries the client config
            java.io.PrintWriter summary = handover.out().isEmpty() ? output.err() : output.out();
            Optional<Path> file = handover.handOver(output.out(), endpoints, id, added);
            summary.printf("Added department %s (%s): principal %s, topics %s and %s, %d ACLs; %s%n", id, department.getName(),
                    Principals.principal(id), Topics.commands(id), Topics.replies(id), AccessPolicy.department(id).size(),
                    file.map(f -> "client config " + f + " (holds its password; mode 600): hand it to the department,"
                            + " then delete it here").orElse("its client config (with its password) is printed above;"
                            + " the bus keeps no copy"));
            if (certFile != null) {
                summary.printf("Issued its client certificate (CN=%s,OU=departments): key store %s and client config %s"
                        + " (security.protocol=SSL, no password; both mode 600)%n", id, keystore, certFile);
            }
            summary.flush();
        }
        return ExitCode.OK;
    }
}
