namespace Platform.ServiceDefaults;

/// <summary>
/// A secret generated on first start and kept in a file only its owner may read (keys of the embedded
/// host and of Development): created with that mode from the first byte, never readable by others in
/// between, and when two starts race, the one written first is the one both use.
/// </summary>
public static class OwnerOnlyFile
{
    /// <summary>The file's text, trimmed; when it is missing or empty, <paramref name="create"/>'s text written to it first.</summary>
    public static string ReadOrCreate(string path, Func<string> create)
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var text = create();
        var options = new FileStreamOptions { Mode = File.Exists(path) ? FileMode.Truncate : FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows() && options.Mode == FileMode.CreateNew)
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
            writer.Write(text);
            return text.Trim();
        }
        catch (IOException) when (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } first)
        {
            // Another start wrote it first: use that one.
            return first;
        }
    }
}
