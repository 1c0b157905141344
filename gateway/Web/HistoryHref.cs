namespace Wsis.Gateway.Web;

/// <summary>Where the workspace shows a subject's history (Pages/Workspace/History), for the links to it.</summary>
public static class HistoryHref
{
    public static string Team(string id) => For("teams", id);

    public static string CoordinatorsMeeting(string id) => For("coordinators-meetings", id);

    public static string Consultation(string id) => For("consultations", id);

    public static string Report(string id) => For("reports", id);

    private static string For(string kind, string id) => $"/workspace/{kind}/{Uri.EscapeDataString(id)}/history";
}
