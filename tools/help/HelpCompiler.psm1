#Requires -Version 7.0
<#
    HelpCompiler: turns platyPS-style markdown (one file per cmdlet) into MAML
    help for a binary module, checking coverage against the live command
    metadata on the way. See README.md beside this file.
#>
Set-StrictMode -Version 3.0

# Parameters that PowerShell adds to every cmdlet. They are described by the
# CommonParameters section and never documented one by one.
$script:CommonParameterNames = [System.Collections.Generic.HashSet[string]]::new(
    [string[]]([System.Management.Automation.Cmdlet]::CommonParameters + @('ProgressAction')),
    [System.StringComparer]::OrdinalIgnoreCase)

# WhatIf and Confirm are "optional common parameters": like platyPS, the
# compiler expects them to be documented (### -WhatIf / ### -Confirm) on every
# cmdlet that supports ShouldProcess, and shows them in the syntax.
$script:ShouldProcessParameterNames = @('WhatIf', 'Confirm')

# Placeholder text left behind by platyPS templates, e.g. {{ Fill in the Synopsis }}.
$script:PlaceholderPattern = '\{\{\s*(Fill|Add)\b[^{}]*\}\}'

$script:NsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$script:NsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$script:NsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$script:NsMSHelp = 'http://msdn.microsoft.com/mshelp'

#region Markdown reading

function Get-FenceMarker {
    # Returns the fence marker (``` or ~~~, possibly longer) if the line opens or closes a fence.
    param([string] $Line)
    if ($Line -match '^\s{0,3}(`{3,}|~{3,})') { return $Matches[1] }
    return $null
}

function ConvertFrom-MarkdownEscape {
    # Undo backslash escapes of punctuation in prose (e.g. \< or \[).
    param([string] $Text)
    return [regex]::Replace($Text, '\\([!-/:-@\[-`{-~])', '$1')
}

function ConvertTo-Paragraph {
    <#
        Turns markdown lines into a list of paragraphs. Soft-wrapped lines are
        joined with a space; list items start a new paragraph; fenced code keeps
        its line breaks and becomes one paragraph.
    #>
    param([string[]] $Lines)
    $paras = [System.Collections.Generic.List[string]]::new()
    $current = [System.Collections.Generic.List[string]]::new()
    $code = $null
    $fence = $null
    $flush = {
        if ($current.Count -gt 0) {
            $paras.Add((ConvertFrom-MarkdownEscape ($current -join ' ')))
            $current.Clear()
        }
    }
    foreach ($line in @($Lines)) {
        $marker = Get-FenceMarker $line
        if ($null -ne $fence) {
            if ($null -ne $marker -and $marker[0] -eq $fence[0] -and $marker.Length -ge $fence.Length -and $line.Trim() -eq $marker) {
                $text = ($code -join "`n").TrimEnd()
                if ($text) { $paras.Add($text) }
                $fence = $null
            }
            else { $code.Add($line) }
            continue
        }
        if ($null -ne $marker) {
            & $flush
            $fence = $marker
            $code = [System.Collections.Generic.List[string]]::new()
            continue
        }
        if ([string]::IsNullOrWhiteSpace($line)) { & $flush; continue }
        if ($line -match '^\s*([-*+]|\d+[.)])\s+') { & $flush }
        $current.Add($line.Trim())
    }
    if ($null -ne $fence) {
        $text = ($code -join "`n").TrimEnd()
        if ($text) { $paras.Add($text) }
    }
    & $flush
    return , $paras.ToArray()
}

function Split-MarkdownSection {
    <#
        Splits a markdown document (front matter already removed) into its H1
        title and H2 sections, each with lines before the first H3 and a list
        of H3 subsections. Headings inside fenced code are not headings.
    #>
    param([string[]] $Lines)
    $doc = [ordered]@{ Title = $null; Preamble = [System.Collections.Generic.List[string]]::new(); Sections = [System.Collections.Generic.List[object]]::new() }
    $section = $null
    $sub = $null
    $fence = $null
    foreach ($line in $Lines) {
        $marker = Get-FenceMarker $line
        $isHeading = $false
        if ($null -ne $fence) {
            if ($null -ne $marker -and $marker[0] -eq $fence[0] -and $marker.Length -ge $fence.Length -and $line.Trim() -eq $marker) { $fence = $null }
        }
        elseif ($null -ne $marker) { $fence = $marker }
        elseif ($line -match '^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$') {
            $isHeading = $true
            $level = $Matches[1].Length
            $text = $Matches[2].Trim()
            if ($level -eq 1) {
                if ($null -eq $doc.Title) { $doc.Title = $text }
                $section = $null; $sub = $null
            }
            elseif ($level -eq 2) {
                $section = [ordered]@{ Name = $text; Lines = [System.Collections.Generic.List[string]]::new(); Subs = [System.Collections.Generic.List[object]]::new() }
                $doc.Sections.Add($section)
                $sub = $null
            }
            elseif ($level -eq 3 -and $null -ne $section) {
                $sub = [ordered]@{ Title = $text; Lines = [System.Collections.Generic.List[string]]::new() }
                $section.Subs.Add($sub)
            }
            else { $isHeading = $false }   # deeper headings stay as text
        }
        if ($isHeading) { continue }
        if ($null -ne $sub) { $sub.Lines.Add($line) }
        elseif ($null -ne $section) { $section.Lines.Add($line) }
        else { $doc.Preamble.Add($line) }
    }
    return $doc
}

function Split-CodeAndText {
    # Separates fenced code blocks from the prose around them. Blocks fenced as Output (or text) are sample
    # output, not code: they are returned apart so that an example's code stays runnable.
    param([string[]] $Lines)
    $code = [System.Collections.Generic.List[string]]::new()
    $output = [System.Collections.Generic.List[string]]::new()
    $text = [System.Collections.Generic.List[string]]::new()
    $fence = $null
    $block = $null
    foreach ($line in @($Lines)) {
        $marker = Get-FenceMarker $line
        if ($null -ne $fence) {
            if ($null -ne $marker -and $marker[0] -eq $fence[0] -and $marker.Length -ge $fence.Length -and $line.Trim() -eq $marker) {
                $content = ($block -join "`n").Trim("`n").TrimEnd()
                if ($blockLang -in 'output', 'text', 'console') { $output.Add($content) } else { $code.Add($content) }
                $fence = $null
            }
            else { $block.Add($line) }
            continue
        }
        if ($null -ne $marker) {
            $fence = $marker
            $block = [System.Collections.Generic.List[string]]::new()
            $blockLang = $line.Trim().Substring($marker.Length).Trim().ToLowerInvariant()
            continue
        }
        $text.Add($line)
    }
    if ($null -ne $fence) { $code.Add(($block -join "`n").TrimEnd()) }
    return [pscustomobject]@{ Code = @($code | Where-Object { $_ }); Output = @($output | Where-Object { $_ }); Text = $text.ToArray() }
}

function ConvertFrom-SimpleYaml {
    # Reads the "Key: value" lines of a platyPS parameter yaml block.
    param([string[]] $Lines)
    $map = [ordered]@{}
    foreach ($line in @($Lines)) {
        if ($line -match '^\s*([^:#][^:]*?)\s*:\s*(.*?)\s*$') { $map[$Matches[1]] = $Matches[2] }
    }
    return $map
}

function Get-TypeEntry {
    # INPUTS / OUTPUTS: "### TypeName" followed by text.
    param($Section)
    $entries = [System.Collections.Generic.List[object]]::new()
    if ($null -eq $Section) { return , $entries.ToArray() }
    foreach ($sub in $Section.Subs) {
        $entries.Add([pscustomobject]@{ TypeName = (ConvertFrom-MarkdownEscape $sub.Title); Description = (ConvertTo-Paragraph $sub.Lines) })
    }
    if ($Section.Subs.Count -eq 0) {
        # Tolerate a bare type name written as text instead of a ### heading.
        $paras = ConvertTo-Paragraph $Section.Lines
        if ($paras.Count -gt 0) {
            $entries.Add([pscustomobject]@{ TypeName = $paras[0]; Description = @($paras | Select-Object -Skip 1) })
        }
    }
    return , $entries.ToArray()
}

function Read-HelpMarkdown {
    <#
        Parses one platyPS-style markdown file into a help document object.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    $raw = [System.IO.File]::ReadAllText($Path)
    $lines = [regex]::Split($raw, '\r?\n')
    $front = [ordered]@{}
    $start = 0
    if ($lines.Count -gt 0 -and $lines[0].Trim() -eq '---') {
        for ($i = 1; $i -lt $lines.Count; $i++) {
            if ($lines[$i].Trim() -eq '---') { $start = $i + 1; break }
            if ($lines[$i] -match '^\s*([^:]+?)\s*:\s*(.*?)\s*$') { $front[$Matches[1]] = $Matches[2] }
        }
    }
    $body = if ($start -gt 0) { $lines[$start..($lines.Count - 1)] } else { $lines }
    $doc = Split-MarkdownSection $body

    $sections = @{}
    $duplicateSections = [System.Collections.Generic.List[string]]::new()
    foreach ($s in $doc.Sections) {
        $key = $s.Name.ToUpperInvariant()
        if ($sections.ContainsKey($key)) { $duplicateSections.Add($s.Name) } else { $sections[$key] = $s }
    }
    $get = { param($n) if ($sections.ContainsKey($n)) { $sections[$n] } else { $null } }

    $synopsisSection = & $get 'SYNOPSIS'
    $descriptionSection = & $get 'DESCRIPTION'
    $synopsis = if ($synopsisSection) { (ConvertTo-Paragraph $synopsisSection.Lines) -join ' ' } else { '' }
    $description = if ($descriptionSection) {
        # H3 subsections in the description stay part of it.
        $all = [System.Collections.Generic.List[string]]::new()
        $all.AddRange([string[]]$descriptionSection.Lines)
        foreach ($sub in $descriptionSection.Subs) { $all.Add(''); $all.Add($sub.Title); $all.Add(''); $all.AddRange([string[]]$sub.Lines) }
        ConvertTo-Paragraph $all
    }
    else { @() }

    $examples = [System.Collections.Generic.List[object]]::new()
    $examplesSection = & $get 'EXAMPLES'
    if ($examplesSection) {
        foreach ($sub in $examplesSection.Subs) {
            $split = Split-CodeAndText $sub.Lines
            $paragraphs = ConvertTo-Paragraph $split.Text
            $examples.Add([pscustomobject]@{
                    Title   = (ConvertFrom-MarkdownEscape $sub.Title)
                    Code    = ($split.Code -join "`n`n")
                    Remarks = [string[]]@($split.Output) + $paragraphs
                })
        }
    }

    $parameters = [System.Collections.Generic.List[object]]::new()
    $parameterProblems = [System.Collections.Generic.List[string]]::new()
    $parametersSection = & $get 'PARAMETERS'
    if ($parametersSection) {
        foreach ($sub in $parametersSection.Subs) {
            if ($sub.Title -match '^CommonParameters$') { continue }
            if ($sub.Title -notmatch '^-([A-Za-z_][\w-]*)$') {
                $parameterProblems.Add("unexpected heading '### $($sub.Title)' in PARAMETERS (expected '### -ParameterName' or '### CommonParameters')")
                continue
            }
            $name = $Matches[1]
            $descLines = [System.Collections.Generic.List[string]]::new()
            $yaml = $null
            $fence = $null
            $block = $null
            foreach ($line in $sub.Lines) {
                $marker = Get-FenceMarker $line
                if ($null -ne $fence) {
                    if ($null -ne $marker -and $line.Trim() -eq $marker -and $marker[0] -eq $fence[0]) {
                        if ($null -eq $yaml) { $yaml = ConvertFrom-SimpleYaml $block } else { $descLines.Add('```'); $descLines.AddRange([string[]]$block); $descLines.Add('```') }
                        $fence = $null
                    }
                    else { $block.Add($line) }
                    continue
                }
                if ($null -ne $marker) {
                    $lang = $line.Trim().Substring($marker.Length).Trim()
                    if ($lang -match '^ya?ml$') {
                        $fence = $marker
                        $block = [System.Collections.Generic.List[string]]::new()
                        continue
                    }
                }
                if ($null -eq $yaml) { $descLines.Add($line) }
            }
            $parameters.Add([pscustomobject]@{
                    Name        = $name
                    Description = (ConvertTo-Paragraph $descLines)
                    Yaml        = $(if ($null -eq $yaml) { [ordered]@{} } else { $yaml })
                })
        }
    }

    $notesSection = & $get 'NOTES'
    $notes = if ($notesSection) {
        $all = [System.Collections.Generic.List[string]]::new()
        $all.AddRange([string[]]$notesSection.Lines)
        foreach ($sub in $notesSection.Subs) { $all.Add(''); $all.Add($sub.Title); $all.Add(''); $all.AddRange([string[]]$sub.Lines) }
        ConvertTo-Paragraph $all
    }
    else { @() }

    $links = [System.Collections.Generic.List[object]]::new()
    $linksSection = & $get 'RELATED LINKS'
    if ($linksSection) {
        foreach ($line in $linksSection.Lines) {
            $t = $line.Trim() -replace '^[-*+]\s+', ''
            if (-not $t) { continue }
            $found = [regex]::Matches($t, '\[([^\]]*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)')
            if ($found.Count -gt 0) {
                foreach ($m in $found) {
                    # Links to sibling .md files mean nothing to Get-Help: keep only the text.
                    $uri = $m.Groups[2].Value
                    if ($uri -notmatch '^[a-zA-Z][a-zA-Z0-9+.-]*:') { $uri = '' }
                    $links.Add([pscustomobject]@{ Text = (ConvertFrom-MarkdownEscape $m.Groups[1].Value); Uri = $uri })
                }
            }
            elseif ($t -match '^<?(https?://\S+?)>?$') { $links.Add([pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[1] }) }
            else { $links.Add([pscustomobject]@{ Text = (ConvertFrom-MarkdownEscape $t); Uri = '' }) }
        }
    }

    return [pscustomobject]@{
        Path              = $Path
        FileName          = [System.IO.Path]::GetFileName($Path)
        FrontMatter       = $front
        Name              = $doc.Title
        Sections          = $sections
        DuplicateSections = $duplicateSections.ToArray()
        Synopsis          = $synopsis
        Description       = $description
        Examples          = $examples.ToArray()
        Parameters        = $parameters.ToArray()
        ParameterProblems = $parameterProblems.ToArray()
        Inputs            = (Get-TypeEntry (& $get 'INPUTS'))
        Outputs           = (Get-TypeEntry (& $get 'OUTPUTS'))
        Notes             = $notes
        Links             = $links.ToArray()
        OnlineVersion     = $(if ($front.Contains('online version')) { $front['online version'] } else { '' })
    }
}

#endregion

#region Module and metadata

function Resolve-HelpModule {
    param([Parameter(Mandatory)] [object] $Module)
    if ($Module -is [System.Management.Automation.PSModuleInfo]) { return $Module }
    $name = [string]$Module
    $found = @(Get-Module -Name $name)
    if ($found.Count -eq 0) {
        throw "Module '$name' is not imported in this session. Import the built module first, or pass its PSModuleInfo to -Module."
    }
    return $found[0]
}

function Get-ExportedCmdletTable {
    param([System.Management.Automation.PSModuleInfo] $Module)
    $table = [System.Collections.Generic.Dictionary[string, System.Management.Automation.CmdletInfo]]::new([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($c in $Module.ExportedCmdlets.Values) { $table[$c.Name] = $c }
    return , $table
}

function Get-DocumentableParameter {
    # The parameters of a cmdlet that must be documented: all but the common ones.
    param([System.Management.Automation.CommandInfo] $Command)
    return @($Command.Parameters.Values | Where-Object { -not $script:CommonParameterNames.Contains($_.Name) })
}

function Test-Placeholder {
    param([string] $Text)
    return [regex]::IsMatch($Text, $script:PlaceholderPattern)
}

function Get-MarkdownFile {
    param([string] $MarkdownPath, [string] $ModuleName)
    Get-ChildItem -LiteralPath $MarkdownPath -Filter '*.md' -File | Where-Object {
        # About topics, readme and the platyPS module page are not cmdlet help.
        $_.BaseName -notlike 'about_*' -and $_.BaseName -ne 'README' -and $_.BaseName -ne $ModuleName
    } | Sort-Object Name
}

function Get-HelpModel {
    <#
        Reads all markdown files and compares them with the module's exported
        cmdlets. Returns the parsed documents, the commands and every problem.
    #>
    param([string] $MarkdownPath, [System.Management.Automation.PSModuleInfo] $Module)
    if (-not (Test-Path -LiteralPath $MarkdownPath -PathType Container)) {
        throw "Markdown folder '$MarkdownPath' does not exist."
    }
    $problems = [System.Collections.Generic.List[string]]::new()
    $cmdlets = Get-ExportedCmdletTable $Module
    $docs = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)

    foreach ($file in @(Get-MarkdownFile -MarkdownPath $MarkdownPath -ModuleName $Module.Name)) {
        $doc = Read-HelpMarkdown -Path $file.FullName
        $where = $file.Name
        if ([string]::IsNullOrWhiteSpace($doc.Name)) {
            $problems.Add("${where}: has no '# Verb-Noun' title naming the cmdlet.")
            continue
        }
        if ($doc.Name -ne $file.BaseName) {
            $problems.Add("${where}: title '# $($doc.Name)' does not match the file name; the file should be named '$($doc.Name).md'.")
        }
        if (-not $cmdlets.ContainsKey($doc.Name)) {
            $problems.Add("${where}: documents '$($doc.Name)', which is not a cmdlet exported by module '$($Module.Name)'.")
            continue
        }
        if ($docs.ContainsKey($doc.Name)) {
            $problems.Add("${where}: '$($doc.Name)' is already documented by '$($docs[$doc.Name].FileName)'.")
            continue
        }
        $docs[$doc.Name] = $doc
    }

    foreach ($name in @($cmdlets.Keys | Sort-Object)) {
        if (-not $docs.ContainsKey($name)) {
            $problems.Add("${name}: exported cmdlet has no markdown help file ('$name.md' in '$MarkdownPath').")
            continue
        }
        $doc = $docs[$name]
        $cmd = $cmdlets[$name]
        $p = "${name} ($($doc.FileName))"

        foreach ($dup in $doc.DuplicateSections) { $problems.Add("${p}: section '## $dup' appears more than once.") }
        foreach ($pp in $doc.ParameterProblems) { $problems.Add("${p}: $pp") }

        if (-not $doc.Sections.ContainsKey('SYNOPSIS') -or [string]::IsNullOrWhiteSpace($doc.Synopsis)) {
            $problems.Add("${p}: SYNOPSIS is missing or empty.")
        }
        elseif (Test-Placeholder $doc.Synopsis) { $problems.Add("${p}: SYNOPSIS is still a placeholder: '$($doc.Synopsis)'.") }

        $descText = ($doc.Description -join "`n")
        if ([string]::IsNullOrWhiteSpace($descText)) { $problems.Add("${p}: DESCRIPTION is missing or empty.") }
        elseif (Test-Placeholder $descText) { $problems.Add("${p}: DESCRIPTION is still a placeholder.") }

        if ($doc.Examples.Count -lt 2) {
            $problems.Add("${p}: has $($doc.Examples.Count) example(s); at least 2 are required under '## EXAMPLES' ('### Example 1: ...').")
        }
        $i = 0
        foreach ($ex in $doc.Examples) {
            $i++
            if ([string]::IsNullOrWhiteSpace($ex.Code)) { $problems.Add("${p}: example $i ('$($ex.Title)') has no code block.") }
            elseif (Test-Placeholder $ex.Code) { $problems.Add("${p}: example $i ('$($ex.Title)') code is still a placeholder.") }
            $remarks = $ex.Remarks -join "`n"
            if ([string]::IsNullOrWhiteSpace($remarks)) { $problems.Add("${p}: example $i ('$($ex.Title)') has no remarks explaining it.") }
            elseif (Test-Placeholder $remarks) { $problems.Add("${p}: example $i ('$($ex.Title)') remarks are still a placeholder.") }
        }

        $documented = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
        foreach ($param in $doc.Parameters) {
            if ($script:CommonParameterNames.Contains($param.Name)) { continue }   # covered by CommonParameters
            if ($documented.ContainsKey($param.Name)) { $problems.Add("${p}: parameter -$($param.Name) is documented more than once."); continue }
            $documented[$param.Name] = $param
            if (-not $cmd.Parameters.ContainsKey($param.Name)) {
                $problems.Add("${p}: documents parameter -$($param.Name), which the cmdlet does not have.")
            }
            elseif ($cmd.Parameters[$param.Name].Name -cne $param.Name) {
                $problems.Add("${p}: parameter heading '### -$($param.Name)' should be spelled '### -$($cmd.Parameters[$param.Name].Name)'.")
            }
        }
        foreach ($live in (Get-DocumentableParameter $cmd)) {
            if (-not $documented.ContainsKey($live.Name)) {
                $problems.Add("${p}: parameter -$($live.Name) is not documented (add '### -$($live.Name)' under '## PARAMETERS').")
                continue
            }
            $text = $documented[$live.Name].Description -join "`n"
            if ([string]::IsNullOrWhiteSpace($text)) { $problems.Add("${p}: parameter -$($live.Name) has an empty description.") }
            elseif (Test-Placeholder $text) { $problems.Add("${p}: parameter -$($live.Name) description is still a placeholder.") }
        }

        foreach ($sectionName in 'INPUTS', 'OUTPUTS') {
            $entries = if ($sectionName -eq 'INPUTS') { $doc.Inputs } else { $doc.Outputs }
            if (-not $doc.Sections.ContainsKey($sectionName)) {
                $problems.Add("${p}: section '## $sectionName' is missing (use '### None' when there is nothing).")
            }
            elseif ($entries.Count -eq 0) {
                $problems.Add("${p}: section '## $sectionName' names no type (use '### None' when there is nothing).")
            }
            foreach ($e in $entries) {
                if ((Test-Placeholder $e.TypeName) -or (Test-Placeholder ($e.Description -join "`n"))) {
                    $problems.Add("${p}: section '## $sectionName' entry '$($e.TypeName)' is still a placeholder.")
                }
            }
        }
        if (Test-Placeholder ($doc.Notes -join "`n")) { $problems.Add("${p}: NOTES is still a placeholder.") }
        foreach ($l in $doc.Links) {
            if (Test-Placeholder $l.Text) { $problems.Add("${p}: RELATED LINKS is still a placeholder.") }
        }
    }
    return [pscustomobject]@{ Problems = $problems.ToArray(); Documents = $docs; Cmdlets = $cmdlets }
}

#endregion

#region MAML writing

function Get-FriendlyTypeName {
    # Short, PowerShell-style type name: String, String[], Nullable types unwrapped, List[String].
    param([type] $Type)
    if ($null -eq $Type) { return 'Object' }
    if ($Type.IsArray) { return (Get-FriendlyTypeName $Type.GetElementType()) + '[]' }
    $under = [System.Nullable]::GetUnderlyingType($Type)
    if ($null -ne $under) { return Get-FriendlyTypeName $under }
    if ($Type.IsGenericType) {
        $base = $Type.Name -replace '`\d+$', ''
        $typeArgs = @($Type.GetGenericArguments() | ForEach-Object { Get-FriendlyTypeName $_ })
        return "$base[$($typeArgs -join ', ')]"
    }
    return $Type.Name
}

function Get-FullTypeName {
    param([type] $Type)
    if ($null -eq $Type) { return 'System.Object' }
    if ($Type.IsArray) { return (Get-FullTypeName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType) {
        $base = $Type.GetGenericTypeDefinition().FullName -replace '`\d+$', ''
        $typeArgs = @($Type.GetGenericArguments() | ForEach-Object { Get-FullTypeName $_ })
        return "$base[$($typeArgs -join ', ')]"
    }
    if ($Type.FullName) { return $Type.FullName }
    return $Type.Name
}

function Format-PipelineInput {
    param([bool] $ByValue, [bool] $ByPropertyName)
    if ($ByValue -and $ByPropertyName) { return 'True (ByValue, ByPropertyName)' }
    if ($ByValue) { return 'True (ByValue)' }
    if ($ByPropertyName) { return 'True (ByPropertyName)' }
    return 'False'
}

function Format-Position {
    param([int] $Position)
    if ($Position -lt 0) { return 'named' }
    return [string]$Position
}

function Get-CleanText {
    # XmlWriter escapes markup characters; characters XML cannot hold at all are dropped.
    param([string] $Text)
    if ($null -eq $Text) { return '' }
    return [regex]::Replace($Text, '[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]', '')
}

function Write-Element {
    param([System.Xml.XmlWriter] $Writer, [string] $Prefix, [string] $Name, [string] $Text)
    $ns = switch ($Prefix) { 'maml' { $script:NsMaml } 'command' { $script:NsCommand } 'dev' { $script:NsDev } }
    $Writer.WriteStartElement($Prefix, $Name, $ns)
    $Writer.WriteString((Get-CleanText $Text))
    $Writer.WriteEndElement()
}

function Write-Start {
    param([System.Xml.XmlWriter] $Writer, [string] $Prefix, [string] $Name)
    $ns = switch ($Prefix) { 'maml' { $script:NsMaml } 'command' { $script:NsCommand } 'dev' { $script:NsDev } }
    $Writer.WriteStartElement($Prefix, $Name, $ns)
}

function Write-Description {
    # <maml:description> with one <maml:para> per paragraph.
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    Write-Start $Writer 'maml' 'description'
    foreach ($para in @($Paragraphs)) { Write-Element $Writer 'maml' 'para' $para }
    $Writer.WriteEndElement()
}

function Get-ParameterFacts {
    <#
        Merges what the live metadata says about a parameter over all of its
        parameter sets (for the PARAMETERS section of the help).
    #>
    param([System.Management.Automation.ParameterMetadata] $Meta, $Doc)
    $sets = @($Meta.ParameterSets.Values)
    $required = @($sets | Where-Object { $_.IsMandatory }).Count -gt 0
    $positions = @($sets | ForEach-Object { $_.Position } | Where-Object { $_ -ge 0 } | Select-Object -Unique)
    $byValue = @($sets | Where-Object { $_.ValueFromPipeline }).Count -gt 0
    $byName = @($sets | Where-Object { $_.ValueFromPipelineByPropertyName }).Count -gt 0
    $globbing = @($Meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
    if (-not $globbing -and $Doc -and $Doc.Yaml.Contains('Accept wildcard characters')) {
        $globbing = $Doc.Yaml['Accept wildcard characters'] -match '^\s*true'
    }
    $default = 'None'
    if ($Doc -and $Doc.Yaml.Contains('Default value') -and -not [string]::IsNullOrWhiteSpace($Doc.Yaml['Default value'])) {
        $default = $Doc.Yaml['Default value']
    }
    $aliases = if ($Meta.Aliases.Count -gt 0) { $Meta.Aliases -join ', ' } else { 'none' }
    return [pscustomobject]@{
        Required      = $required
        Position      = $(if ($positions.Count -gt 0) { [string]$positions[0] } else { 'named' })
        PipelineInput = (Format-PipelineInput $byValue $byName)
        Globbing      = $globbing
        Default       = $default
        Aliases       = $aliases
        IsSwitch      = ($Meta.SwitchParameter)
        TypeShort     = (Get-FriendlyTypeName $Meta.ParameterType)
        TypeFull      = (Get-FullTypeName $Meta.ParameterType)
    }
}

function Write-CommandHelp {
    param([System.Xml.XmlWriter] $Writer, [System.Management.Automation.CmdletInfo] $Command, $Doc)

    $Writer.WriteStartElement('command', 'command', $script:NsCommand)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $script:NsMaml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $script:NsCommand)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $script:NsDev)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $null, $script:NsMSHelp)

    # details
    Write-Start $Writer 'command' 'details'
    Write-Element $Writer 'command' 'name' $Command.Name
    Write-Element $Writer 'command' 'verb' $Command.Verb
    Write-Element $Writer 'command' 'noun' $Command.Noun
    Write-Description $Writer @($Doc.Synopsis)
    $Writer.WriteEndElement()

    Write-Description $Writer $Doc.Description

    $docParams = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($dp in $Doc.Parameters) { if (-not $docParams.ContainsKey($dp.Name)) { $docParams[$dp.Name] = $dp } }
    $describe = {
        param($name)
        if ($docParams.ContainsKey($name)) { , $docParams[$name].Description } else { , @() }
    }

    # syntax: one item per parameter set, straight from the live metadata
    Write-Start $Writer 'command' 'syntax'
    $sets = @($Command.ParameterSets | Sort-Object -Stable { -not $_.IsDefault })
    foreach ($set in $sets) {
        Write-Start $Writer 'command' 'syntaxItem'
        Write-Element $Writer 'maml' 'name' $Command.Name
        $ordered = @($set.Parameters | Where-Object { -not $script:CommonParameterNames.Contains($_.Name) }) |
            Sort-Object -Stable `
                @{ Expression = { if ($_.Position -ge 0) { 0 } else { 1 } } },
                @{ Expression = { if ($_.Position -ge 0) { $_.Position } else { 0 } } },
                @{ Expression = { if ($script:ShouldProcessParameterNames -contains $_.Name) { 2 } elseif ($_.IsMandatory) { 0 } else { 1 } } }
        foreach ($sp in @($ordered)) {
            $meta = $Command.Parameters[$sp.Name]
            $Writer.WriteStartElement('command', 'parameter', $script:NsCommand)
            $Writer.WriteAttributeString('required', $sp.IsMandatory.ToString().ToLowerInvariant())
            $Writer.WriteAttributeString('variableLength', $meta.ParameterType.IsArray.ToString().ToLowerInvariant())
            $globbing = @($meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
            $Writer.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
            $Writer.WriteAttributeString('pipelineInput', (Format-PipelineInput $sp.ValueFromPipeline $sp.ValueFromPipelineByPropertyName))
            $Writer.WriteAttributeString('position', (Format-Position $sp.Position))
            $Writer.WriteAttributeString('aliases', $(if ($sp.Aliases.Count -gt 0) { $sp.Aliases -join ', ' } else { 'none' }))
            Write-Element $Writer 'maml' 'name' $sp.Name
            Write-Description $Writer (& $describe $sp.Name)
            if (-not $meta.SwitchParameter) {
                $Writer.WriteStartElement('command', 'parameterValue', $script:NsCommand)
                $Writer.WriteAttributeString('required', 'true')
                $Writer.WriteAttributeString('variableLength', 'false')
                $Writer.WriteString((Get-FriendlyTypeName $meta.ParameterType))
                $Writer.WriteEndElement()
            }
            Write-Start $Writer 'dev' 'type'
            Write-Element $Writer 'maml' 'name' (Get-FullTypeName $meta.ParameterType)
            Write-Element $Writer 'maml' 'uri' ''
            $Writer.WriteEndElement()
            $facts = Get-ParameterFacts $meta ($(if ($docParams.ContainsKey($sp.Name)) { $docParams[$sp.Name] } else { $null }))
            Write-Element $Writer 'dev' 'defaultValue' $facts.Default
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    # parameters: markdown order first, then any live parameter the markdown lacks
    Write-Start $Writer 'command' 'parameters'
    $names = [System.Collections.Generic.List[string]]::new()
    foreach ($dp in $Doc.Parameters) {
        if ($Command.Parameters.ContainsKey($dp.Name) -and -not $script:CommonParameterNames.Contains($dp.Name)) {
            $real = $Command.Parameters[$dp.Name].Name
            if (-not $names.Contains($real)) { $names.Add($real) }
        }
    }
    foreach ($live in (Get-DocumentableParameter $Command)) { if (-not $names.Contains($live.Name)) { $names.Add($live.Name) } }
    foreach ($name in $names) {
        $meta = $Command.Parameters[$name]
        $facts = Get-ParameterFacts $meta ($(if ($docParams.ContainsKey($name)) { $docParams[$name] } else { $null }))
        $Writer.WriteStartElement('command', 'parameter', $script:NsCommand)
        $Writer.WriteAttributeString('required', $facts.Required.ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', $meta.ParameterType.IsArray.ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('globbing', $facts.Globbing.ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('pipelineInput', $facts.PipelineInput)
        $Writer.WriteAttributeString('position', $facts.Position)
        $Writer.WriteAttributeString('aliases', $facts.Aliases)
        Write-Element $Writer 'maml' 'name' $name
        Write-Description $Writer (& $describe $name)
        $Writer.WriteStartElement('command', 'parameterValue', $script:NsCommand)
        $Writer.WriteAttributeString('required', (-not $facts.IsSwitch).ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($facts.TypeShort)
        $Writer.WriteEndElement()
        Write-Start $Writer 'dev' 'type'
        Write-Element $Writer 'maml' 'name' $facts.TypeFull
        Write-Element $Writer 'maml' 'uri' ''
        $Writer.WriteEndElement()
        Write-Element $Writer 'dev' 'defaultValue' $facts.Default
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    foreach ($kind in 'input', 'return') {
        $entries = if ($kind -eq 'input') { $Doc.Inputs } else { $Doc.Outputs }
        $outer = if ($kind -eq 'input') { 'inputTypes' } else { 'returnValues' }
        $inner = if ($kind -eq 'input') { 'inputType' } else { 'returnValue' }
        Write-Start $Writer 'command' $outer
        foreach ($e in $entries) {
            Write-Start $Writer 'command' $inner
            Write-Start $Writer 'dev' 'type'
            Write-Element $Writer 'maml' 'name' $e.TypeName
            $Writer.WriteEndElement()
            Write-Description $Writer $e.Description
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    if (@($Doc.Notes).Count -gt 0) {
        Write-Start $Writer 'maml' 'alertSet'
        Write-Start $Writer 'maml' 'alert'
        foreach ($para in @($Doc.Notes)) { Write-Element $Writer 'maml' 'para' $para }
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }

    Write-Start $Writer 'command' 'examples'
    foreach ($ex in $Doc.Examples) {
        Write-Start $Writer 'command' 'example'
        Write-Element $Writer 'maml' 'title' "--------- $($ex.Title) ---------"
        Write-Element $Writer 'dev' 'code' $ex.Code
        Write-Start $Writer 'dev' 'remarks'
        foreach ($para in @($ex.Remarks)) { Write-Element $Writer 'maml' 'para' $para }
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    Write-Start $Writer 'command' 'relatedLinks'
    if (-not [string]::IsNullOrWhiteSpace($Doc.OnlineVersion)) {
        Write-Start $Writer 'maml' 'navigationLink'
        Write-Element $Writer 'maml' 'linkText' 'Online Version:'
        Write-Element $Writer 'maml' 'uri' $Doc.OnlineVersion
        $Writer.WriteEndElement()
    }
    foreach ($l in $Doc.Links) {
        Write-Start $Writer 'maml' 'navigationLink'
        Write-Element $Writer 'maml' 'linkText' $l.Text
        Write-Element $Writer 'maml' 'uri' $l.Uri
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()   # command:command
}

#endregion

#region Public functions

function Test-HelpCoverage {
    <#
    .SYNOPSIS
        Lists every problem that stops the markdown help from compiling.
    .DESCRIPTION
        Compares the platyPS-style markdown files in MarkdownPath with the
        cmdlets exported by Module and returns one message per problem (an
        empty result means the help is complete). Each message starts with the
        cmdlet or file it is about.
    .PARAMETER MarkdownPath
        Folder holding one <Verb-Noun>.md file per cmdlet.
    .PARAMETER Module
        The imported module (PSModuleInfo), or the name of an imported module.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $MarkdownPath,
        [Parameter(Mandatory)] [object] $Module
    )
    $mod = Resolve-HelpModule $Module
    $model = Get-HelpModel -MarkdownPath (Resolve-Path -LiteralPath $MarkdownPath -ErrorAction Stop).ProviderPath -Module $mod
    return $model.Problems
}

function ConvertTo-MamlHelp {
    <#
    .SYNOPSIS
        Compiles platyPS-style markdown into a MAML help file for a binary module.
    .DESCRIPTION
        Checks coverage (see Test-HelpCoverage) and throws one error listing
        every problem if there is any. Otherwise writes the MAML file, taking
        syntax, types, positions and pipeline input from the live cmdlet
        metadata and all prose from the markdown. Returns the written file.
    .PARAMETER MarkdownPath
        Folder holding one <Verb-Noun>.md file per cmdlet.
    .PARAMETER OutputPath
        The MAML file to write, e.g. <module>/en-US/LogicAppAuth.dll-Help.xml.
    .PARAMETER Module
        The imported module (PSModuleInfo), or the name of an imported module.
    #>
    [CmdletBinding()]
    [OutputType([System.IO.FileInfo])]
    param(
        [Parameter(Mandatory)] [string] $MarkdownPath,
        [Parameter(Mandatory)] [string] $OutputPath,
        [Parameter(Mandatory)] [object] $Module
    )
    $mod = Resolve-HelpModule $Module
    $mdPath = (Resolve-Path -LiteralPath $MarkdownPath -ErrorAction Stop).ProviderPath
    $model = Get-HelpModel -MarkdownPath $mdPath -Module $mod
    if ($model.Problems.Count -gt 0) {
        $list = ($model.Problems | ForEach-Object { "  - $_" }) -join [Environment]::NewLine
        $message = "Help for module '$($mod.Name)' has $($model.Problems.Count) problem(s):" + [Environment]::NewLine + $list
        $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                [System.InvalidOperationException]::new($message), 'HelpCompiler.HelpProblems',
                [System.Management.Automation.ErrorCategory]::InvalidData, $mdPath))
    }

    $target = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
    $dir = [System.IO.Path]::GetDirectoryName($target)
    if ($dir -and -not (Test-Path -LiteralPath $dir)) { $null = New-Item -ItemType Directory -Path $dir -Force }
    $temp = "$target.tmp"

    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.IndentChars = '  '
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $settings.NewLineChars = "`n"
    $writer = [System.Xml.XmlWriter]::Create($temp, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', 'http://msh')
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($name in @($model.Cmdlets.Keys | Sort-Object)) {
            Write-CommandHelp -Writer $writer -Command $model.Cmdlets[$name] -Doc $model.Documents[$name]
        }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally { $writer.Dispose() }

    # Read it back: a file that does not parse is never left in place.
    $check = [System.Xml.XmlDocument]::new()
    try { $check.Load($temp) }
    catch { Remove-Item -LiteralPath $temp -Force; throw "Generated MAML is not well-formed XML: $($_.Exception.Message)" }
    Move-Item -LiteralPath $temp -Destination $target -Force
    Write-Verbose "Wrote MAML help for $($model.Cmdlets.Count) cmdlet(s) to $target"
    return Get-Item -LiteralPath $target
}

#endregion

Export-ModuleMember -Function ConvertTo-MamlHelp, Test-HelpCoverage
