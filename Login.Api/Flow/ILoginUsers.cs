using AccessPlatform.Login.Data;

namespace AccessPlatform.Login.Flow;

/// <summary>The user lookup the flow needs when it resumes (the user is always read fresh).</summary>
public interface ILoginUsers
{
    Task<User?> FindByIdAsync(Guid id);
}
