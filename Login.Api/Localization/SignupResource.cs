namespace AccessPlatform.Login;

/// <summary>
/// Marker for the sign-up strings in Resources/SignupResource*.resx (pages, emails, the "next steps" box), in all
/// twelve languages; a family of its own so it changes apart from <see cref="SharedResource"/>.
/// </summary>
public sealed class SignupResource;
