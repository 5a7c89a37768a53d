using System.Text.Json.Nodes;
using static AccessPlatform.Login.Tests.Deployment.RenderedManifests;

namespace AccessPlatform.Login.Tests.Deployment;

/// <summary>
/// deploy/kubernetes, checked without a cluster: each overlay rendered by kustomize and every object read back.
/// The services' images, settings and health paths are the ones this repository builds.
/// </summary>
public sealed class KubernetesManifestTests
{
    public static readonly TheoryData<string> Overlays = new() { "dev", "production" };

    // The paths ServiceDefaults maps (MapDefaultEndpoints), not copies of them.
    private const string HealthPath = Microsoft.Extensions.Hosting.Extensions.HealthPath;
    private const string AlivePath = Microsoft.Extensions.Hosting.Extensions.AlivePath;

    private static readonly string[] Services = ["gateway", "login-api", "sso-api", "notifications-worker"];

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_service_has_a_deployment_and_a_service_and_the_migrations_run_as_a_job(string overlay)
    {
        var manifests = Render(overlay);
        foreach (var service in Services)
        {
            manifests.Single("Deployment", service);
            var port = Items(manifests.Single("Service", service)["spec"]!["ports"]).Single();
            Assert.Equal("http", Str(port["targetPort"]));
        }
        Assert.Equal("Never", Str(manifests.Single("Job", "migrations")["spec"]!["template"]!["spec"]!["restartPolicy"]));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Probes_point_at_the_real_health_paths(string overlay)
    {
        foreach (var deployment in Render(overlay).OfKind("Deployment"))
        {
            var container = Items(deployment["spec"]!["template"]!["spec"]!["containers"]).Single();
            var httpPort = Items(container["ports"]).Single(p => Str(p["name"]) == "http");
            Assert.Equal("8080", Str(httpPort["containerPort"])); // the aspnet image's ASPNETCORE_HTTP_PORTS
            foreach (var (probe, path) in new[] { ("readinessProbe", HealthPath), ("livenessProbe", AlivePath), ("startupProbe", AlivePath) })
            {
                var get = container[probe]?["httpGet"];
                Assert.True(get is not null, $"{Name(deployment)} has an HTTP {probe}");
                Assert.Equal(path, Str(get["path"]));
                Assert.Equal("http", Str(get["port"]));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_container_sets_limits_and_runs_as_non_root_on_a_read_only_filesystem(string overlay)
    {
        var manifests = Render(overlay);
        foreach (var (owner, pod) in manifests.PodSpecs)
        {
            Assert.True(Str(pod["automountServiceAccountToken"]) == "false", $"{owner} mounts no service-account token");
            var podSecurity = pod["securityContext"];
            Assert.Equal("true", Str(podSecurity?["runAsNonRoot"]));
            Assert.NotEqual("0", Str(podSecurity?["runAsUser"]));
            Assert.Equal("RuntimeDefault", Str(podSecurity?["seccompProfile"]?["type"])); // the restricted Pod Security Standard
            var tmp = Items(pod["volumes"]).Single(v => Str(v["name"]) == "tmp");
            Assert.NotNull(tmp["emptyDir"]);
        }
        foreach (var (owner, container) in manifests.Containers)
        {
            var limits = container["resources"]?["limits"];
            Assert.True(Str(limits?["cpu"]) != "" && Str(limits?["memory"]) != "", $"{owner} sets cpu and memory limits");
            var requests = container["resources"]?["requests"];
            Assert.True(Str(requests?["cpu"]) != "" && Str(requests?["memory"]) != "", $"{owner} sets cpu and memory requests");
            var security = container["securityContext"];
            Assert.True(Str(security?["readOnlyRootFilesystem"]) == "true", $"{owner} has a read-only root filesystem");
            Assert.True(Str(security?["allowPrivilegeEscalation"]) == "false", $"{owner} cannot escalate");
            Assert.Contains("ALL", Items(security?["capabilities"]?["drop"]).Select(Str));
            Assert.True(Str(security?["runAsUser"]) != "0", $"{owner} does not override the user with root");
            Assert.Contains(Items(container["volumeMounts"]), m => Str(m["name"]) == "tmp" && Str(m["mountPath"]) == "/tmp");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_secret_and_config_map_reference_resolves_to_a_declared_name_and_key(string overlay)
    {
        var manifests = Render(overlay);
        // What declares a Secret: the object itself, an ExternalSecret's target, a cert-manager Certificate.
        var secrets = new Dictionary<string, HashSet<string>>();
        foreach (var secret in manifests.OfKind("Secret"))
        {
            secrets[Name(secret)] = [.. (secret["data"]?.AsObject() ?? []).Select(p => p.Key), .. (secret["stringData"]?.AsObject() ?? []).Select(p => p.Key)];
        }
        foreach (var external in manifests.OfKind("ExternalSecret"))
        {
            secrets[Str(external["spec"]!["target"]!["name"])] = [.. Items(external["spec"]!["data"]).Select(d => Str(d["secretKey"]))];
        }
        foreach (var certificate in manifests.OfKind("Certificate"))
        {
            secrets[Str(certificate["spec"]!["secretName"])] = ["tls.crt", "tls.key"];
        }
        var configMaps = manifests.OfKind("ConfigMap").ToDictionary(Name, c => (c["data"]?.AsObject() ?? []).Select(p => p.Key).ToHashSet());

        var references = 0;
        void Resolve(string owner, string kind, string name, string? key)
        {
            references++;
            var declared = kind == "Secret" ? secrets : configMaps;
            Assert.True(declared.TryGetValue(name, out var keys), $"{owner}: {kind} {name} is declared in the {overlay} overlay");
            Assert.True(key is null || keys.Contains(key), $"{owner}: {kind} {name} has the key {key}");
        }
        foreach (var (owner, pod) in manifests.PodSpecs)
        {
            foreach (var volume in Items(pod["volumes"]))
            {
                if (volume["secret"] is { } s)
                {
                    var name = Str(s["secretName"]);
                    foreach (var item in Items(s["items"]).DefaultIfEmpty(null!))
                    {
                        Resolve(owner, "Secret", name, item is null ? null : Str(item["key"]));
                    }
                }
                if (volume["configMap"] is { } c)
                {
                    Resolve(owner, "ConfigMap", Str(c["name"]), null);
                }
            }
        }
        foreach (var (owner, container) in manifests.Containers)
        {
            foreach (var env in Items(container["env"]))
            {
                if (env["valueFrom"]?["secretKeyRef"] is { } s)
                {
                    Resolve(owner, "Secret", Str(s["name"]), Str(s["key"]));
                }
                if (env["valueFrom"]?["configMapKeyRef"] is { } c)
                {
                    Resolve(owner, "ConfigMap", Str(c["name"]), Str(c["key"]));
                }
            }
            foreach (var source in Items(container["envFrom"]))
            {
                if (source["secretRef"] is { } s)
                {
                    Resolve(owner, "Secret", Str(s["name"]), null);
                }
                if (source["configMapRef"] is { } c)
                {
                    Resolve(owner, "ConfigMap", Str(c["name"]), null);
                }
            }
        }
        foreach (var ingress in manifests.OfKind("Ingress"))
        {
            foreach (var tls in Items(ingress["spec"]!["tls"]))
            {
                Resolve($"Ingress/{Name(ingress)}", "Secret", Str(tls["secretName"]), null);
            }
        }
        Assert.True(references > 20, "the manifests were read (references found)");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Image_names_match_the_containers_the_projects_publish(string overlay)
    {
        var published = PublishedRepositories();
        var deployed = new HashSet<string>();
        foreach (var (owner, container) in Render(overlay).Containers)
        {
            var image = Str(container["image"]);
            var repository = image.Split('@')[0];
            repository = repository.LastIndexOf(':') > repository.LastIndexOf('/') ? repository[..repository.LastIndexOf(':')] : repository;
            // A registry host ("registry.example.com/") may precede the repository.
            var match = published.Keys.SingleOrDefault(r => repository == r || repository.EndsWith("/" + r, StringComparison.Ordinal));
            Assert.True(match is not null, $"{owner}: {image} is the ContainerRepository of a project (have: {string.Join(", ", published.Keys)})");
            deployed.Add(match);
        }
        foreach (var service in Services)
        {
            Assert.Contains($"access-platform/{service}", deployed);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Environment_names_are_settings_listed_in_the_configuration_docs(string overlay)
    {
        var documented = DocumentedSettings();
        var manifests = Render(overlay);
        var configMaps = manifests.OfKind("ConfigMap").ToDictionary(Name, c => (c["data"]?.AsObject() ?? []).Select(p => p.Key).ToList());
        var names = 0;
        foreach (var (owner, container) in manifests.Containers)
        {
            var variables = Items(container["env"]).Select(e => Str(e["name"]))
                .Concat(Items(container["envFrom"]).Where(s => s["configMapRef"] is not null).SelectMany(s => configMaps[Str(s["configMapRef"]!["name"])]));
            foreach (var variable in variables)
            {
                names++;
                var setting = SettingOf(variable);
                Assert.True(documented.Any(p => p.IsMatch(setting)), $"{owner}: {variable} ({setting}) is listed in docs/configuration.md");
                Assert.NotEqual("Testing:Enabled", setting, StringComparer.OrdinalIgnoreCase);
            }
        }
        Assert.True(names > 20, "environment names were read");
    }

    [Fact]
    public void Quorum_queues_are_on_in_production_and_off_in_dev()
    {
        Assert.Equal(new[] { "true" }, QuorumSettings(Render("production")));
        Assert.Equal(new[] { "false" }, QuorumSettings(Render("dev")));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Only_the_gateway_is_reachable_from_outside_and_only_the_gateway_reaches_the_services(string overlay)
    {
        var manifests = Render(overlay);
        var backends = manifests.OfKind("Ingress").SelectMany(i => Items(i["spec"]!["rules"]))
            .SelectMany(r => Items(r["http"]!["paths"])).Select(p => Str(p["backend"]!["service"]!["name"])).ToHashSet();
        Assert.Equal(new[] { "gateway" }, backends.Order());
        Assert.All(manifests.OfKind("Ingress"), i => Assert.NotEmpty(Items(i["spec"]!["tls"])));
        Assert.All(manifests.OfKind("Service"), s => Assert.True(Str(s["spec"]!["type"]) is "" or "ClusterIP", $"{Name(s)} is cluster-internal"));

        var deny = manifests.Single("NetworkPolicy", "default-deny")["spec"]!;
        Assert.Empty(deny["podSelector"]!.AsObject());
        Assert.Equal(new[] { "Ingress", "Egress" }, Items(deny["policyTypes"]).Select(Str));
        string[] Callers(string service) =>
        [
            .. Items(manifests.Single("NetworkPolicy", service)["spec"]!["ingress"]).SelectMany(r => Items(r["from"]))
                .Select(f => f["podSelector"] is { } p ? Str(p["matchLabels"]!["app.kubernetes.io/name"]) : $"namespace:{Str(f["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"])}")
                .Order(),
        ];
        Assert.Equal(new[] { "namespace:ingress-nginx" }, Callers("gateway"));
        Assert.Equal(new[] { "gateway", "sso-api" }, Callers("login-api"));
        Assert.Equal(new[] { "gateway" }, Callers("sso-api"));
        Assert.Empty(Callers("notifications-worker"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Disruption_budgets_and_autoscalers_point_at_real_deployments(string overlay)
    {
        var manifests = Render(overlay);
        var deployments = manifests.OfKind("Deployment").Select(Name).ToHashSet();
        Assert.Equal(deployments, manifests.OfKind("PodDisruptionBudget").Select(p => Str(p["spec"]!["selector"]!["matchLabels"]!["app.kubernetes.io/name"])).ToHashSet());
        var scaled = manifests.OfKind("HorizontalPodAutoscaler").ToDictionary(h => Str(h["spec"]!["scaleTargetRef"]!["name"]), h => h["spec"]!);
        Assert.Equal(new[] { "login-api", "notifications-worker" }, scaled.Keys.Order());
        foreach (var (target, spec) in scaled)
        {
            Assert.Contains(target, deployments);
            Assert.Equal("cpu", Str(Items(spec["metrics"]).Single()["resource"]!["name"]));
            // The autoscaler owns the count: a replicas field would reset it on every apply.
            Assert.Null(manifests.Single("Deployment", target)["spec"]!["replicas"]);
        }
    }

    private static string[] QuorumSettings(RenderedManifests manifests) =>
        [.. manifests.OfKind("ConfigMap").Select(c => c["data"]?["Messaging__QuorumQueues"]).Where(v => v is not null).Select(Str).Distinct()];
}
