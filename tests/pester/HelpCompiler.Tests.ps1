#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '6.0.0' }
# Tests for tools/help/HelpCompiler.psm1 against a small fixture binary module
# (tools/help/fixtures/HelpFixture.cs) compiled into TestDrive.

BeforeDiscovery {
    # Edits of a fresh copy of the fixture markdown (each a -replace on one cmdlet's file) and the problems
    # Test-HelpCoverage must then report, one wildcard pattern per problem; no pattern means no problem.
    function Remove-H3Pattern([string] $Heading) { "(?ms)^### $([regex]::Escape($Heading))\s*$.*?(?=^##)" }
    $editCases = @(
        @{ Case = 'an undocumented parameter, naming cmdlet and parameter'
            Edits = @(@{ Cmdlet = 'Get-HelpFixture'; Pattern = (Remove-H3Pattern '-Limit'); With = '' })
            Expected = @('Get-HelpFixture (Get-HelpFixture.md): parameter -Limit is not documented*') }
        @{ Case = 'undocumented -WhatIf and -Confirm of a ShouldProcess cmdlet'
            Edits = @(@{ Cmdlet = 'Set-HelpFixture'; Pattern = (Remove-H3Pattern '-WhatIf'); With = '' }, @{ Cmdlet = 'Set-HelpFixture'; Pattern = (Remove-H3Pattern '-Confirm'); With = '' })
            Expected = @('*Set-HelpFixture*parameter -WhatIf is not documented*', '*Set-HelpFixture*parameter -Confirm is not documented*') }
        @{ Case = 'nothing for documented common parameters (they are not required either)'
            Edits = @(@{ Cmdlet = 'Set-HelpFixture'; Pattern = '### CommonParameters'; With = "### -ProgressAction`nFrom an older platyPS.`n`n### -Verbose`nNot needed.`n`n### CommonParameters" })
            Expected = @() }
        @{ Case = 'a parameter with an empty or placeholder description'
            Edits = @(@{ Cmdlet = 'Get-HelpFixture'; Pattern = 'Maximum number of items to return\.'; With = '' }, @{ Cmdlet = 'Get-HelpFixture'; Pattern = 'Returns detailed items\.'; With = '{{ Fill Detailed Description }}' })
            Expected = @('*Get-HelpFixture*parameter -Limit has an empty description*', '*Get-HelpFixture*parameter -Detailed description is still a placeholder*') }
        @{ Case = 'a documented parameter that no longer exists'
            Edits = @(@{ Cmdlet = 'Get-HelpFixture'; Pattern = '### CommonParameters'; With = "### -Colour`nA parameter that was removed.`n`n``````yaml`nType: String`n```````n`n### CommonParameters" })
            Expected = @('Get-HelpFixture (Get-HelpFixture.md): documents parameter -Colour, which the cmdlet does not have*') }
        @{ Case = 'an empty synopsis'
            Edits = @(@{ Cmdlet = 'Get-HelpFixture'; Pattern = 'Gets fixture items by name or by id\.'; With = '' })
            Expected = @('*Get-HelpFixture*SYNOPSIS is missing or empty*') }
        @{ Case = 'a placeholder synopsis'
            Edits = @(@{ Cmdlet = 'Set-HelpFixture'; Pattern = 'Sets a fixture item\.'; With = '{{ Fill in the Synopsis }}' })
            Expected = @('*Set-HelpFixture*SYNOPSIS is still a placeholder*') }
        @{ Case = 'an empty description and a placeholder description'
            Edits = @(@{ Cmdlet = 'Get-HelpFixture'; Pattern = '(?ms)^## DESCRIPTION.*?(?=^## EXAMPLES)'; With = "## DESCRIPTION`n`n" }, @{ Cmdlet = 'Set-HelpFixture'; Pattern = '(?ms)^## DESCRIPTION.*?(?=^## EXAMPLES)'; With = "## DESCRIPTION`n{{ Fill in the Description }}`n`n" })
            Expected = @('*Get-HelpFixture*DESCRIPTION is missing or empty*', '*Set-HelpFixture*DESCRIPTION is still a placeholder*') }
        @{ Case = 'fewer than two examples'
            Edits = @(@{ Cmdlet = 'Set-HelpFixture'; Pattern = (Remove-H3Pattern 'Example 2: Preview a change'); With = '' })
            Expected = @('*Set-HelpFixture*has 1 example(s); at least 2 are required*') }
        @{ Case = 'an example without code or without remarks'
            Edits = @(@{ Cmdlet = 'Set-HelpFixture'; Pattern = 'Stores a hashtable under the name alpha\.'; With = '' }, @{ Cmdlet = 'Set-HelpFixture'; Pattern = '(?s)```powershell\s+Set-HelpFixture alpha -WhatIf\s+```'; With = '' })
            Expected = @("*example 1 ('Example 1: Set a value') has no remarks*", "*example 2 ('Example 2: Preview a change') has no code block*") }
        @{ Case = 'missing INPUTS and OUTPUTS'
            Edits = @(@{ Cmdlet = 'Set-HelpFixture'; Pattern = '(?ms)^## INPUTS.*?(?=^## NOTES)'; With = '' })
            Expected = @("*Set-HelpFixture*'## INPUTS' is missing*", "*Set-HelpFixture*'## OUTPUTS' is missing*") }
    )
}

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $script:FixtureDir = Join-Path $RepoRoot 'tools/help/fixtures'
    Import-Module (Join-Path $RepoRoot 'tools/help/HelpCompiler.psm1') -Force

    # Runs a script in a fresh PowerShell process (same version as this one)
    # and returns its output lines.
    function script:Invoke-FreshPwsh {
        param([string] $Script)
        $file = Join-Path $TestDrive ("child-{0}.ps1" -f [guid]::NewGuid().ToString('N'))
        Set-Content -LiteralPath $file -Value $Script -Encoding utf8
        $exe = [Environment]::ProcessPath
        $lead = @()
        if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $lead = @(Join-Path $PSHOME 'pwsh.dll') }
        $out = & $exe @lead -NoProfile -NonInteractive -File $file 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Child pwsh failed ($LASTEXITCODE): $($out -join "`n")" }
        return $out
    }

    # Compile the fixture cmdlets in a child process so this session never
    # holds a half-built assembly; then import the dll here.
    $script:ModuleDir = Join-Path $TestDrive 'HelpFixture'
    $null = New-Item -ItemType Directory -Path $ModuleDir -Force
    $script:Dll = Join-Path $ModuleDir 'HelpFixture.dll'
    Invoke-FreshPwsh @"
Add-Type -Path '$(Join-Path $FixtureDir 'HelpFixture.cs')' -OutputAssembly '$Dll' -OutputType Library
"@ | Out-Null
    Get-Module HelpFixture | Remove-Module -Force
    $script:FixtureModule = Import-Module $Dll -PassThru -Force

    # A writable copy of the fixture markdown, fresh for each test that edits it.
    function script:New-MarkdownCopy {
        $dir = Join-Path $TestDrive ("md-{0}" -f [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $dir
        Copy-Item -Path (Join-Path $FixtureDir 'en-US/*.md') -Destination $dir
        return $dir
    }
    function script:Edit-Markdown {
        param([string] $Dir, [string] $Cmdlet, [scriptblock] $Change)
        $path = Join-Path $Dir "$Cmdlet.md"
        $text = [System.IO.File]::ReadAllText($path)
        $new = & $Change $text
        if ($new -ceq $text) { throw "Edit of $Cmdlet.md changed nothing" }
        [System.IO.File]::WriteAllText($path, $new)
    }
    # Removes one "### heading" block (up to the next ### or ## heading).
    function script:Remove-H3 {
        param([string] $Text, [string] $Heading)
        return [regex]::Replace($Text, "(?ms)^### $([regex]::Escape($Heading))\s*$.*?(?=^##)", '')
    }
}

AfterAll {
    Get-Module HelpFixture | Remove-Module -Force -ErrorAction SilentlyContinue
    Get-Module HelpCompiler | Remove-Module -Force -ErrorAction SilentlyContinue
}

Describe 'Test-HelpCoverage' {
    It 'finds no problem in the fixture markdown' {
        $problems = Test-HelpCoverage -MarkdownPath (Join-Path $FixtureDir 'en-US') -Module $FixtureModule
        $problems | Should -BeNullOrEmpty
    }

    It 'accepts the module by name' {
        @(Test-HelpCoverage -MarkdownPath (Join-Path $FixtureDir 'en-US') -Module 'HelpFixture').Count | Should -Be 0
    }

    It 'throws when the module is not imported' {
        { Test-HelpCoverage -MarkdownPath (Join-Path $FixtureDir 'en-US') -Module 'No.Such.Module' } |
            Should -Throw -ExpectedMessage "*'No.Such.Module' is not imported*"
    }

    It 'throws when the markdown folder does not exist' {
        { Test-HelpCoverage -MarkdownPath (Join-Path $TestDrive 'nowhere') -Module $FixtureModule } | Should -Throw
    }

    It 'reports an exported cmdlet without a markdown file' {
        $dir = New-MarkdownCopy
        Remove-Item (Join-Path $dir 'Set-HelpFixture.md')
        $problems = @(Test-HelpCoverage -MarkdownPath $dir -Module $FixtureModule)
        $problems.Count | Should -Be 1
        $problems[0] | Should -BeLike 'Set-HelpFixture: exported cmdlet has no markdown help file*'
    }

    It 'reports a markdown file for a cmdlet that is not exported' {
        $dir = New-MarkdownCopy
        $text = [System.IO.File]::ReadAllText((Join-Path $dir 'Set-HelpFixture.md')) -replace 'Set-HelpFixture', 'Remove-HelpFixture'
        [System.IO.File]::WriteAllText((Join-Path $dir 'Remove-HelpFixture.md'), $text)
        $problems = @(Test-HelpCoverage -MarkdownPath $dir -Module $FixtureModule)
        $problems.Count | Should -Be 1
        $problems[0] | Should -BeLike "Remove-HelpFixture.md: documents 'Remove-HelpFixture', which is not a cmdlet exported by module 'HelpFixture'*"
    }

    It 'reports a title that does not match the file name' {
        $dir = New-MarkdownCopy
        Move-Item (Join-Path $dir 'Set-HelpFixture.md') (Join-Path $dir 'SetHelpFixture.md')
        $problems = @(Test-HelpCoverage -MarkdownPath $dir -Module $FixtureModule)
        $problems | Should -HaveCount 1
        $problems[0] | Should -BeLike "SetHelpFixture.md: title '# Set-HelpFixture' does not match the file name; the file should be named 'Set-HelpFixture.md'*"
    }

    It 'reports <Case>' -ForEach $editCases {
        $dir = New-MarkdownCopy
        foreach ($edit in $Edits) {
            Edit-Markdown $dir $edit.Cmdlet { param($t) $t -replace $edit.Pattern, $edit.With }.GetNewClosure()
        }
        $problems = @(Test-HelpCoverage -MarkdownPath $dir -Module $FixtureModule)
        $problems.Count | Should -Be $Expected.Count -Because "the problems were: $($problems -join ' | ')"
        foreach ($pattern in $Expected) {
            @($problems | Where-Object { $_ -like $pattern }) | Should -HaveCount 1 -Because "one problem should match '$pattern' (got: $($problems -join ' | '))"
        }
    }

    It 'reads markdown with CRLF line endings' {
        $dir = New-MarkdownCopy
        foreach ($f in Get-ChildItem $dir -Filter *.md) {
            [System.IO.File]::WriteAllText($f.FullName, ([System.IO.File]::ReadAllText($f.FullName) -replace '\r?\n', "`r`n"))
        }
        Test-HelpCoverage -MarkdownPath $dir -Module $FixtureModule | Should -BeNullOrEmpty
        $out = Join-Path $TestDrive 'crlf/HelpFixture.dll-Help.xml'
        $null = ConvertTo-MamlHelp -MarkdownPath $dir -OutputPath $out -Module $FixtureModule
        ([xml](Get-Content -Raw $out)).helpItems.command[0].details.description.para | Should -Be 'Gets fixture items by name or by id.'
    }

    It 'skips about topics and the module page' {
        $dir = New-MarkdownCopy
        Set-Content (Join-Path $dir 'about_HelpFixture.md') "# about_HelpFixture`n"
        Set-Content (Join-Path $dir 'HelpFixture.md') "---`nModule Name: HelpFixture`n---`n# HelpFixture Module`n"
        Test-HelpCoverage -MarkdownPath $dir -Module $FixtureModule | Should -BeNullOrEmpty
    }
}

Describe 'ConvertTo-MamlHelp' {
    Context 'good input' {
        BeforeAll {
            $script:XmlPath = Join-Path $ModuleDir 'en-US/HelpFixture.dll-Help.xml'
            $script:Result = ConvertTo-MamlHelp -MarkdownPath (Join-Path $FixtureDir 'en-US') -OutputPath $XmlPath -Module $FixtureModule
            $script:Xml = [xml]::new()
            $Xml.Load($XmlPath)
            $script:Ns = [System.Xml.XmlNamespaceManager]::new($Xml.NameTable)
            $Ns.AddNamespace('h', 'http://msh')
            $Ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
            $Ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
            $Ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
            function script:Get-Cmd([string] $Name) {
                $Xml.SelectSingleNode("/h:helpItems/command:command[command:details/command:name='$Name']", $Ns)
            }
        }

        It 'returns the written file and creates the en-US folder' {
            $Result | Should -BeOfType [System.IO.FileInfo]
            $Result.FullName | Should -Be $XmlPath
            Test-Path "$XmlPath.tmp" | Should -BeFalse
        }

        It 'writes a MAML helpItems root with one command per cmdlet' {
            $Xml.DocumentElement.LocalName | Should -Be 'helpItems'
            $Xml.DocumentElement.GetAttribute('schema') | Should -Be 'maml'
            $Xml.SelectNodes('/h:helpItems/command:command', $Ns).Count | Should -Be 2
        }

        It 'fills details: name, verb, noun and synopsis' {
            $cmd = Get-Cmd 'Get-HelpFixture'
            $cmd.SelectSingleNode('command:details/command:verb', $Ns).InnerText | Should -Be 'Get'
            $cmd.SelectSingleNode('command:details/command:noun', $Ns).InnerText | Should -Be 'HelpFixture'
            $cmd.SelectSingleNode('command:details/maml:description/maml:para', $Ns).InnerText | Should -Be 'Gets fixture items by name or by id.'
        }

        It 'generates one syntax item per parameter set from the live metadata, default set first' {
            $items = (Get-Cmd 'Get-HelpFixture').SelectNodes('command:syntax/command:syntaxItem', $Ns)
            $items.Count | Should -Be 2
            $first = @($items[0].SelectNodes('command:parameter/maml:name', $Ns) | ForEach-Object InnerText)
            $first | Should -Be @('Name', 'Limit', 'Detailed')
            $name = $items[0].SelectSingleNode("command:parameter[maml:name='Name']", $Ns)
            $name.GetAttribute('required') | Should -Be 'true'
            $name.GetAttribute('position') | Should -Be '0'
            $name.GetAttribute('pipelineInput') | Should -Be 'True (ByPropertyName)'
            $name.GetAttribute('globbing') | Should -Be 'true'
            $name.SelectSingleNode('command:parameterValue', $Ns).InnerText | Should -Be 'String[]'
            $id = $items[1].SelectSingleNode("command:parameter[maml:name='Id']", $Ns)
            $id.GetAttribute('pipelineInput') | Should -Be 'True (ByValue, ByPropertyName)'
            $id.GetAttribute('position') | Should -Be 'named'
            # switches carry no value in the syntax
            $items[0].SelectSingleNode("command:parameter[maml:name='Detailed']/command:parameterValue", $Ns) | Should -BeNullOrEmpty
        }

        It 'includes WhatIf and Confirm in the syntax of a ShouldProcess cmdlet' {
            $names = @((Get-Cmd 'Set-HelpFixture').SelectNodes('command:syntax/command:syntaxItem/command:parameter/maml:name', $Ns) | ForEach-Object InnerText)
            $names | Should -Be @('Name', 'Value', 'WhatIf', 'Confirm')
        }

        It 'describes every parameter with markdown text and live types' {
            $params = (Get-Cmd 'Get-HelpFixture').SelectNodes('command:parameters/command:parameter', $Ns)
            @($params | ForEach-Object { $_.SelectSingleNode('maml:name', $Ns).InnerText }) | Should -Be @('Name', 'Id', 'Limit', 'Detailed')
            $limit = $params | Where-Object { $_.SelectSingleNode('maml:name', $Ns).InnerText -eq 'Limit' }
            $limit.SelectSingleNode('maml:description/maml:para', $Ns).InnerText | Should -Be 'Maximum number of items to return.'
            $limit.SelectSingleNode('command:parameterValue', $Ns).InnerText | Should -Be 'Int32'
            $limit.SelectSingleNode('dev:defaultValue', $Ns).InnerText | Should -Be '10'
            $name = $params | Where-Object { $_.SelectSingleNode('maml:name', $Ns).InnerText -eq 'Name' }
            $name.GetAttribute('aliases') | Should -Be 'FixtureName'
            $name.SelectSingleNode('dev:type/maml:name', $Ns).InnerText | Should -Be 'System.String[]'
        }

        It 'writes examples with title, code and remarks; a # comment in code is not a heading' {
            $examples = (Get-Cmd 'Get-HelpFixture').SelectNodes('command:examples/command:example', $Ns)
            $examples.Count | Should -Be 2
            $examples[0].SelectSingleNode('maml:title', $Ns).InnerText | Should -BeLike '*Example 1: Get an item by name*'
            $examples[0].SelectSingleNode('dev:code', $Ns).InnerText | Should -BeLike "# Not a heading*`nGet-HelpFixture -Name 'alpha'*"
            @($examples[1].SelectNodes('dev:remarks/maml:para', $Ns)).Count | Should -Be 2
        }

        It 'writes inputs, outputs, notes and related links' {
            $cmd = Get-Cmd 'Get-HelpFixture'
            @($cmd.SelectNodes('command:inputTypes/command:inputType/dev:type/maml:name', $Ns) | ForEach-Object InnerText) | Should -Be @('System.Int32', 'System.String[]')
            $cmd.SelectSingleNode('command:returnValues/command:returnValue/dev:type/maml:name', $Ns).InnerText | Should -Be 'System.String'
            $cmd.SelectSingleNode('maml:alertSet/maml:alert/maml:para', $Ns).InnerText | Should -BeLike 'Fixture note*'
            $links = $cmd.SelectNodes('command:relatedLinks/maml:navigationLink', $Ns)
            $links[0].SelectSingleNode('maml:uri', $Ns).InnerText | Should -Be 'https://example.invalid/help/Get-HelpFixture'
            $links[1].SelectSingleNode('maml:linkText', $Ns).InnerText | Should -Be 'Set-HelpFixture'
            $links[1].SelectSingleNode('maml:uri', $Ns).InnerText | Should -Be ''
        }

        It 'keeps special characters intact and escaped' {
            $cmd = Get-Cmd 'Get-HelpFixture'
            $cmd.SelectSingleNode('maml:description/maml:para', $Ns).InnerText | Should -BeLike '*names with <angle> brackets, ampersands & "quotes" must survive*'
            $cmd.SelectSingleNode('command:examples/command:example/dev:code', $Ns).InnerText | Should -BeLike '*{ $_ -ne "<none>" }*'
            $raw = [System.IO.File]::ReadAllText($XmlPath)
            $raw | Should -Match '&lt;angle&gt; brackets, ampersands &amp; '
            $raw | Should -Not -Match '<angle>'
        }

        It 'shows every part of the help through Get-Help -Full in a fresh process' {
            $out = Invoke-FreshPwsh @"
Import-Module '$Dll'
Get-Help Get-HelpFixture -Full | Out-String -Width 400
'=====SPLIT====='
Get-Help Set-HelpFixture -Full | Out-String -Width 400
"@
            $text = $out -join "`n"
            $get, $set = $text -split '=====SPLIT====='
            foreach ($expected in @(
                    'Gets fixture items by name or by id.'
                    'names with <angle> brackets, ampersands & "quotes" must survive the trip to MAML.'
                    'A second paragraph of the description.'
                    'Get-HelpFixture [-Name] <String[]> [-Limit <Int32>] [-Detailed]'
                    'Get-HelpFixture -Id <Int32> [-Limit <Int32>] [-Detailed]'
                    'Names of the items to get. Wildcards are allowed.'
                    'The numeric id of the item.'
                    'Maximum number of items to return.'
                    'Returns detailed items.'
                    'Example 1: Get an item by name'
                    'Get-HelpFixture -Name ''alpha'' | Where-Object { $_ -ne "<none>" }'
                    'Gets the item named alpha; the filter drops items called <none> & friends.'
                    '42 | Get-HelpFixture -Detailed'
                    'This remark has a second paragraph.'
                    'An id can be piped to the cmdlet.'
                    'Objects with a Name property can be piped to the cmdlet.'
                    'Each item as text, with these properties:'
                    'Fixture note: results are <not> cached & "never" stored.'
                )) {
                $get | Should -BeLike "*$([WildcardPattern]::Escape($expected))*" -Because "Get-Help Get-HelpFixture should show '$expected'"
            }
            $get | Should -Match 'INPUTS\s+System\.Int32'
            $get | Should -Match 'OUTPUTS\s+System\.String'
            $get | Should -Match 'Accept pipeline input\?\s+True \(ByValue, ByPropertyName\)'
            foreach ($expected in @(
                    'Sets a fixture item.'
                    'Set-HelpFixture [-Name] <String> [[-Value] <Hashtable>] [-WhatIf] [-Confirm]'
                    'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
                    'Prompts you for confirmation before running the cmdlet.'
                    'Shows what would be set without setting it.'
                )) {
                $set | Should -BeLike "*$([WildcardPattern]::Escape($expected))*" -Because "Get-Help Set-HelpFixture should show '$expected'"
            }
        }
    }

    Context 'bad input' {
        It 'throws one error listing every problem and writes nothing' {
            $dir = New-MarkdownCopy
            Remove-Item (Join-Path $dir 'Set-HelpFixture.md')
            Edit-Markdown $dir 'Get-HelpFixture' { param($t) (Remove-H3 $t '-Limit') -replace 'Gets fixture items by name or by id\.', '{{ Fill in the Synopsis }}' }
            $out = Join-Path $TestDrive 'bad/en-US/HelpFixture.dll-Help.xml'
            $err = $null
            try { ConvertTo-MamlHelp -MarkdownPath $dir -OutputPath $out -Module $FixtureModule } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'HelpCompiler.HelpProblems*'
            $msg = $err.Exception.Message
            $msg | Should -BeLike "Help for module 'HelpFixture' has 3 problem(s):*"
            $msg | Should -BeLike '*Set-HelpFixture: exported cmdlet has no markdown help file*'
            $msg | Should -BeLike '*Get-HelpFixture*parameter -Limit is not documented*'
            $msg | Should -BeLike '*Get-HelpFixture*SYNOPSIS is still a placeholder*'
            Test-Path $out | Should -BeFalse
        }
    }
}
