namespace Wsis.Teams.Model;

internal static class Require
{
    public static void Secretariat(Actor actor, string what)
    {
        if (!actor.IsSecretariat)
            throw DomainException.PermissionDenied($"only the secretariat may {what} (role secretariat)");
    }
}
